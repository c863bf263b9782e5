using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using CiJobs.Cli.Output;
using CiJobs.Core;
using CiJobs.Core.Platform;
using CiJobs.Core.Signing;

namespace CiJobs.Cli.Commands;

/// <summary><c>cijobs sign packages|repo|verify</c>: sign RPMs and repository metadata with gpg, and verify a signed tree; docs/manual/signing.md.</summary>
internal static class SignCommand
{
    /// <summary>The public key file names written into a signed tree (the release layouts of issue 14).</summary>
    public const string RpmKeyName = "RPM-GPG-KEY-cijobs";
    public const string DebKeyName = "archive-key.asc";

    public static Command Create()
    {
        var command = new Command(
            "sign",
            "Sign RPM packages and repository metadata with a gpg key, and verify signed trees. The key is imported into a throwaway " +
            "GNUPGHOME that is deleted after; the key and its passphrase are read from files and never appear on a command line. " +
            "Sign packages before createrepo_c, then sign the repository.");
        command.Subcommands.Add(CreatePackages());
        command.Subcommands.Add(CreateRepo());
        command.Subcommands.Add(CreateVerify());
        return command;
    }

    private static Command CreatePackages()
    {
        var rpms = new Argument<string[]>("RPM") { Description = "RPM packages to sign in place (rpmsign --addsign); one already signed by this key is left as is.", Arity = ArgumentArity.OneOrMore };
        var signing = new SigningOptions();
        var command = new Command("packages", "Sign RPM packages in place with the key. Run before createrepo_c: signing changes a package's bytes, so metadata made before no longer matches.");
        command.Arguments.Add(rpms);
        signing.AddTo(command);
        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var files = parseResult.GetValue(rpms)!;
            await using var signer = await signing.CreateRequiredSignerAsync(parseResult, SystemEnvironment.Instance, new CliWrapProcessRunner(), cancellationToken);
            await signer.SignRpmPackagesAsync(files, cancellationToken);
            var output = new StringBuilder();
            foreach (var file in files)
            {
                output.Append("signed ").Append(SignedTree.Printable(Path.GetFullPath(file))).Append('\n');
            }

            output.Append("key ").Append(signer.Fingerprint).Append('\n');
            await Console.Out.WriteAsync(output.ToString());
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command CreateRepo()
    {
        var tree = new Argument<string>("TREE") { Description = "A repository tree: every repodata/repomd.xml and every dists/<codename>/Release in it is signed." };
        var signing = new SigningOptions();
        var command = new Command(
            "repo",
            $"Sign the repository metadata in TREE: repodata/repomd.xml.asc (detached, armoured) beside every repodata/repomd.xml, and InRelease " +
            $"(clear-signed) and Release.gpg (detached, armoured) beside every dists/<codename>/Release, with SHA512. Writes the public key into TREE as " +
            $"{RpmKeyName} (when it has RPM metadata) and {DebKeyName} (when it has Release files). RPMs in TREE are not signed: use 'sign packages' before createrepo_c.");
        command.Arguments.Add(tree);
        signing.AddTo(command);
        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var scanned = SignedTree.Scan(parseResult.GetValue(tree)!);
            if (scanned.RepomdFiles.Count == 0 && scanned.ReleaseFiles.Count == 0)
            {
                throw new CiJobsException($"the tree {scanned.Root} holds no repodata/repomd.xml and no dists/*/Release to sign", SigningExitCodes.UnsafeInput);
            }

            await using var signer = await signing.CreateRequiredSignerAsync(parseResult, SystemEnvironment.Instance, new CliWrapProcessRunner(), cancellationToken);
            var output = new StringBuilder();
            foreach (var repomd in scanned.RepomdFiles)
            {
                await signer.SignRpmRepositoryAsync(Path.GetDirectoryName(Path.GetDirectoryName(repomd))!, cancellationToken);
                output.Append("signed ").Append(SignedTree.Printable(scanned.Relative(repomd))).Append(".asc\n");
            }

            foreach (var release in scanned.ReleaseFiles)
            {
                await signer.SignDebReleaseAsync(release, cancellationToken);
                var folder = SignedTree.Printable(scanned.Relative(Path.GetDirectoryName(release)!));
                output.Append("signed ").Append(folder).Append("/InRelease\nsigned ").Append(folder).Append("/Release.gpg\n");
            }

            foreach (var (present, name) in new[] { (scanned.RepomdFiles.Count > 0, RpmKeyName), (scanned.ReleaseFiles.Count > 0, DebKeyName) })
            {
                if (present)
                {
                    await WriteKeyAsync(Path.Combine(scanned.Root, name), signer.PublicKeyArmored);
                    output.Append("public key ").Append(name).Append('\n');
                }
            }

            output.Append("key ").Append(signer.Fingerprint).Append('\n');
            await Console.Out.WriteAsync(output.ToString());
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task WriteKeyAsync(string path, string key)
    {
        if (new FileInfo(path).LinkTarget is not null)
        {
            throw new CiJobsException($"{path} is a symbolic link; the public key is not written through it", SigningExitCodes.UnsafeInput);
        }

        await OutputOptions.WriteFileAsync(path, key);
    }

    private static Command CreateVerify()
    {
        var tree = new Argument<string>("TREE") { Description = "A signed tree: every RPM, every repodata/repomd.xml (with repomd.xml.asc) and every dists/<codename>/Release (with InRelease and Release.gpg) in it is verified." };
        var publicKey = new Option<string>("--public-key") { Description = "The public key the signatures must be made with (armoured or binary), e.g. TREE/RPM-GPG-KEY-cijobs.", Required = true };
        var format = OutputOptions.CreateFormatOption();
        var command = new Command(
            "verify",
            "Verify the signatures in TREE with the real tools: rpmkeys --checksig (a throwaway rpm database holding only --public-key) for RPMs, " +
            "gpgv (a keyring of only --public-key) for repomd.xml.asc, InRelease and Release.gpg. A missing signature fails too. " +
            $"Exit {SigningExitCodes.VerificationFailed} names the first bad file; --format json lists every file checked.");
        command.Arguments.Add(tree);
        command.Options.Add(publicKey);
        command.Options.Add(format);
        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var report = await new SignatureVerifier(new CliWrapProcessRunner(), SystemEnvironment.Instance)
                .VerifyTreeAsync(parseResult.GetValue(tree)!, parseResult.GetValue(publicKey)!, cancellationToken);
            if (parseResult.GetValue(format) == OutputFormat.Json)
            {
                OutputOptions.WriteJson(report, SigningJson.Relaxed);
            }
            else
            {
                var text = new StringBuilder();
                foreach (var file in report.Files)
                {
                    text.Append(file.Valid ? "OK   " : "BAD  ").Append(SignedTree.Printable(file.Path)).Append(": ").Append(file.Detail).Append('\n');
                }

                await Console.Out.WriteAsync(text.ToString());
            }

            var failures = report.Failures.ToList();
            return failures.Count == 0 ? ExitCodes.Success
                : throw new CiJobsException(
                    $"bad signature: {SignedTree.Printable(failures[0].Path)}: {failures[0].Detail}" + (failures.Count > 1 ? $" (and {failures.Count - 1} more)" : string.Empty),
                    SigningExitCodes.VerificationFailed);
        });
        return command;
    }
}

/// <summary>Source-generated JSON of <c>cijobs sign verify --format json</c>, shaped as every verb's JSON (snake_case, indented).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(SignatureReport))]
internal sealed partial class SigningJson : JsonSerializerContext
{
    private static JsonSerializerOptions? relaxed;

    public static JsonSerializerOptions Relaxed => relaxed ??= new(Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
