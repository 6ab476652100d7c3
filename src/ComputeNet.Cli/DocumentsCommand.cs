using System.CommandLine;
using ComputeNet.Application;
using ComputeNet.Application.Documents;
using ComputeNet.Application.Documents.RenderDocuments;
using ComputeNet.Domain;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace ComputeNet.Cli;

internal static class DocumentsCommand
{
    public static Command Create()
    {
        var period = new Option<string?>("--period") { Description = "one closed period, YYYY-MM-DD (or YYYY-MM); default every closed period" };
        var schema = new Option<string>("--schema") { Description = "event-store schema (default computenet; the demo writes 'demo')", DefaultValueFactory = _ => ComputeNetSettings.DefaultSchema };
        var outDir = new Option<DirectoryInfo>("--out") { Description = "folder for the PDFs", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("out", "pdf")) };
        var documents = new Command("documents", "write every invoice, provider/carrier statement, issuer claim, region revenue-share statement and credit note of the closed periods as PDF") { period, schema, outDir };
        documents.SetAction(async (parse, ct) =>
        {
            var connection = await Hosting.ConnectionStringAsync(ct);
            if (!await ComputeNetServices.SchemaExistsAsync(connection, parse.GetValue(schema)!, ct))
            {
                return Exit.UsageError($"no schema '{parse.GetValue(schema)}' in this database (the demo writes 'demo')");
            }
            try
            {
                var files = await WriteAsync(connection, parse.GetValue(schema)!, parse.GetValue(period), parse.GetValue(outDir)!.FullName, ct);
                if (files.Count == 0)
                {
                    AnsiConsole.MarkupLine("[yellow]no closed period has invoices or statements[/]" + (parse.GetValue(period) is { } p ? Markup.Escape($" (period {p})") : ""));
                }
                return 0;
            }
            catch (RejectedException e)
            {
                return Exit.RefusedBy(e);
            }
        });
        return documents;
    }

    /// <summary>Renders the documents of <paramref name="schema"/> into <paramref name="folder"/> and prints one line per file.</summary>
    public static async Task<IReadOnlyList<PdfFile>> WriteAsync(string connection, string schema, string? period, string folder, CancellationToken ct)
    {
        await using var services = ComputeNetServices.Compose(new ComputeNetSettings(connection, schema), null, Hosting.AddMediator);
        await services.InitialiseComputeNetAsync(ct);
        var files = await services.GetRequiredService<ISender>().Send(new RenderDocumentsRequest(period), ct);
        Directory.CreateDirectory(folder);
        foreach (var file in files)
        {
            var path = Path.Combine(folder, file.FileName);
            await File.WriteAllBytesAsync(path, file.Content, ct);
            AnsiConsole.MarkupLineInterpolated($"  [grey]{Shown(path)}[/]  {file.Kind} of {file.Party}, {file.Period}, {file.Content.Length / 1024.0:0.0} KiB");
        }
        return files;
    }

    /// <summary>A path relative to the working directory when it lies inside it, else in full.</summary>
    public static string Shown(string path)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }
}
