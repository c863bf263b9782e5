namespace CiJobs.Core.Forges.GitLab;

/// <summary>Reading and canceling one GitLab pipeline by id (the system-test abort, docs/manual/systest.md).</summary>
public interface IGitLabPipelineControl
{
    Task<ForgePipeline> GetPipelineAsync(string project, long pipelineId, CancellationToken cancellationToken);

    Task<ForgePipeline> CancelPipelineAsync(string project, long pipelineId, CancellationToken cancellationToken);
}
