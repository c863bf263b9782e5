using CiJobs.Core.Platform;

namespace CiJobs.Core.Dlrn;

/// <summary>
/// HTTP Basic credentials of a DLRN API user. The password never leaves this class except as the
/// Authorization header; <see cref="ToString"/> hides it.
/// </summary>
public sealed class DlrnCredentials
{
    public const string PasswordVariable = "DLRN_API_PASSWORD";
    public const string UserVariable = "DLRN_API_USER";

    public DlrnCredentials(string user, string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        ArgumentException.ThrowIfNullOrEmpty(password);
        if (user.Contains(':', StringComparison.Ordinal))
        {
            throw new CiJobsException("the DLRN API user name must not contain ':'", DlrnExitCodes.CredentialsMissing);
        }

        User = user;
        Password = password;
    }

    public string User { get; }

    internal string Password { get; }

    internal string BasicHeaderValue() =>
        Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{User}:{Password}"));

    public override string ToString() => $"{User}:***";

    /// <summary>
    /// The user comes from <paramref name="user"/> or <c>DLRN_API_USER</c>; the password from
    /// <paramref name="passwordFile"/> (first line) or <c>DLRN_API_PASSWORD</c>, never from a command-line value.
    /// </summary>
    public static async Task<DlrnCredentials> ResolveAsync(string? user, string? passwordFile, IEnvironment environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var name = string.IsNullOrEmpty(user) ? environment.GetVariable(UserVariable) : user;
        if (string.IsNullOrEmpty(name))
        {
            throw new CiJobsException($"no DLRN API user: pass --user or set {UserVariable}", DlrnExitCodes.CredentialsMissing);
        }

        string? password;
        if (passwordFile is not null)
        {
            try
            {
                var text = await File.ReadAllTextAsync(passwordFile, cancellationToken);
                password = text.Split('\n', 2)[0].TrimEnd('\r');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CiJobsException($"cannot read the password file '{passwordFile}': {e.Message}", ExitCodes.Io, e);
            }

            if (password.Length == 0)
            {
                throw new CiJobsException($"the password file '{passwordFile}' is empty", DlrnExitCodes.CredentialsMissing);
            }
        }
        else
        {
            password = environment.GetVariable(PasswordVariable);
            if (string.IsNullOrEmpty(password))
            {
                throw new CiJobsException($"no DLRN API password: set {PasswordVariable} or pass --password-file", DlrnExitCodes.CredentialsMissing);
            }
        }

        return new DlrnCredentials(name, password);
    }
}
