using ComputeNet.Domain;
using Spectre.Console;

namespace ComputeNet.Cli;

/// <summary>
/// The CLI's exit codes, distinct per kind of failure, and its error console: every error goes to stderr, so a script
/// can read a command's output from stdout and tell failures apart by the code alone.
/// </summary>
internal static class Exit
{
    /// <summary>The command did what was asked (a scenario run with rejected actions included; a repeat close).</summary>
    public const int Ok = 0;

    /// <summary>A check the command exists to make failed: verification, reconciliation differences, the demo's trial balance.</summary>
    public const int CheckFailed = 1;

    /// <summary>The command was called wrongly: unknown or missing options, a file, folder or schema that is not there, a malformed input file, --at in the future.</summary>
    public const int Usage = 2;

    /// <summary>The platform refused the request by a market rule (the market-rules code is printed: period-not-ended, invalid, …).</summary>
    public const int Refused = 3;

    /// <summary>The command could not finish: a payment provider's error or an unexpected fault (the message is printed).</summary>
    public const int Failed = 4;

    /// <summary>The error console (stderr).</summary>
    public static readonly IAnsiConsole Error = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

    /// <summary>A usage error: prints it to stderr and answers <see cref="Usage"/>.</summary>
    public static int UsageError(string message)
    {
        Error.MarkupLineInterpolated($"[red]error:[/] {message}");
        return Usage;
    }

    /// <summary>A refusal by a market rule: prints its code and reason to stderr and answers <see cref="Refused"/>.</summary>
    public static int RefusedBy(RejectedException e)
    {
        Error.MarkupLineInterpolated($"[red]{e.Rejection.Code}:[/] {e.Rejection.Reason}");
        return Refused;
    }
}
