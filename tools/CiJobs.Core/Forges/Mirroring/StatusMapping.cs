namespace CiJobs.Core.Forges.Mirroring;

/// <summary>Dist-git pipeline status → commit status on the source-git MR (reference §4.6, keeping canceled as canceled per §8).</summary>
public static class StatusMapping
{
    public static CommitState FromPipelineStatus(string pipelineStatus) => pipelineStatus.Trim().ToLowerInvariant() switch
    {
        "created" or "waiting_for_resource" or "preparing" or "pending" or "scheduled" or "manual" => CommitState.Pending,
        "running" => CommitState.Running,
        "success" or "skipped" => CommitState.Success,
        "failed" or "error" => CommitState.Failed,
        "canceled" or "cancelled" => CommitState.Canceled,
        _ => throw new CiJobsException($"Unknown pipeline status '{pipelineStatus}'; expected one of created, waiting_for_resource, preparing, pending, running, success, failed, canceled, skipped, manual, scheduled.", ForgeExitCodes.InputInvalid),
    };

    /// <summary>The state's name as GitLab spells it (pending, running, success, failed, canceled, skipped).</summary>
    public static string Name(CommitState state) => GitLab.GitLabClient.StateName(state);
}
