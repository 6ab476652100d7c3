using System.Runtime.InteropServices;
using Npgsql;

namespace ComputeNet.Api.Hosting;

/// <summary>The host refused to start: what is wrong and how to fix it (the CLI prints it and exits non-zero).</summary>
public sealed class StartupRefusedException(IReadOnlyList<string> reasons, string heading = "refusing to start in Production:")
    : Exception(heading + string.Concat(reasons.Select(r => Environment.NewLine + "  - " + r)))
{
    public IReadOnlyList<string> Reasons { get; } = reasons;
}

/// <summary>
/// What <c>serve</c> checks before it serves in Production (the default environment of <c>serve</c>): an operator key of
/// at least <see cref="MinOperatorKeyLength"/> characters, a database that checks passwords (the embedded cluster trusts
/// every local connection: <c>--allow-insecure-database</c> serves it anyway, saying so), and a signing-key file owned
/// by this process's user and readable by nobody else. Every failed check is listed; none starts the host.
/// </summary>
public static class ProductionChecks
{
    public const int MinOperatorKeyLength = 32;

    /// <summary>
    /// A host in a cluster must advertise an address other hosts can reach (ADR 0030): listening on a wildcard
    /// (<c>0.0.0.0</c>, <c>+</c>, <c>*</c>, <c>[::]</c>) without <c>ComputeNet:Cluster:AdvertiseUrl</c> names none. Null when fine.
    /// </summary>
    public static string? AdvertiseProblem(string? advertiseUrl, string urls)
    {
        if (advertiseUrl is not null)
        {
            return null;
        }
        var first = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
        var host = first.Split("://", 2) is [_, var rest] ? rest.Split('/')[0] : first;
        host = host.StartsWith('[') ? host[..(host.IndexOf(']') + 1)] : host.Split(':')[0];
        return Application.Cluster.ClusterSettings.IsWildcard(host)
            ? $"listening on '{first}' (any address) names no address for the other hosts to forward order commands to: set "
              + $"{Application.Cluster.ClusterSettings.Section}:AdvertiseUrl (e.g. http://10.0.0.5:5080), or {Application.Cluster.ClusterSettings.Section}:Enabled=false for a single host"
            : null;
    }

    /// <param name="operatorKey">The configured operator key; null: one is generated (long enough).</param>
    public static List<string> CheckKeys(string? operatorKey, string signingKeyPath)
    {
        var reasons = new List<string>();
        if (operatorKey is not null && operatorKey.Length < MinOperatorKeyLength)
        {
            reasons.Add($"the operator key (ComputeNet:OperatorKey) has {operatorKey.Length} characters; Production needs at least {MinOperatorKeyLength} "
                + "(e.g. `openssl rand -base64 33`)");
        }
        if (SigningKeyFileProblem(signingKeyPath) is { } problem)
        {
            reasons.Add(problem);
        }
        return reasons;
    }

    /// <summary>Null when the file is missing (it is then created 0600 by this user) or owned by this user with no group or other bits.</summary>
    public static string? SigningKeyFileProblem(string path)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(path))
        {
            return null;
        }
        var mode = File.GetUnixFileMode(path);
        const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        if ((mode & others) != 0)
        {
            return $"the signing key {path} is readable or writable by group or others (mode {Convert.ToString((int)mode, 8)}): `chmod 600 {path}`";
        }
        if (OwnerOf(path) is { } owner && owner != Native.geteuid())
        {
            return $"the signing key {path} is owned by uid {owner}, not by this process's user (uid {Native.geteuid()}): `chown` it to the user that runs serve";
        }
        return null;
    }

    /// <summary>
    /// Connects once with a wrong password: if the server lets it in, it checks no password for this connection (trust or
    /// peer authentication), and anyone who can reach it can move money. Null when the server refused the wrong password.
    /// </summary>
    public static async Task<string?> TrustedDatabaseProblemAsync(string connectionString, CancellationToken ct)
    {
        var probe = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Password = "computenet-probe-" + Guid.NewGuid().ToString("N"),
            Pooling = false,
            Passfile = null,
            Timeout = 10,
        };
        try
        {
            await using var connection = new NpgsqlConnection(probe.ConnectionString);
            await connection.OpenAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification)
        {
            return null;
        }
        catch (NpgsqlException e) when (e.InnerException is not PostgresException && e.Message.Contains("password", StringComparison.OrdinalIgnoreCase))
        {
            // Npgsql would not send a password it does not have to a server that asked for one: the server does check.
            return null;
        }
        return $"the database {probe.Host}:{probe.Port}/{probe.Database} accepted a connection with a wrong password (trust or peer "
            + "authentication, as the embedded cluster is): use a password-authenticated connection string (ConnectionStrings:ComputeNet or "
            + "COMPUTENET_DB, with scram-sha-256 in pg_hba.conf), or start with --allow-insecure-database to serve it anyway";
    }

    private static uint? OwnerOf(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        // statx's layout is the same on every Linux architecture: stx_uid is the 32-bit field at byte 20.
        var buffer = new byte[256];
        const int AtFdCwd = -100;
        const uint StatxUid = 0x8;
        return Native.statx(AtFdCwd, path, 0, StatxUid, buffer) == 0 ? BitConverter.ToUInt32(buffer, 20) : null;
    }

    private static class Native
    {
        [DllImport("libc", SetLastError = true)]
        public static extern uint geteuid();

        [DllImport("libc", SetLastError = true)]
        public static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
    }
}
