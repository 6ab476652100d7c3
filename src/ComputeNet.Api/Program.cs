using ComputeNet.Api;

try
{
    await ApiHost.RunAsync(new ApiHostOptions { Args = args, EnforceProductionChecks = true });
    return 0;
}
catch (ComputeNet.Api.Hosting.StartupRefusedException e)
{
    Console.Error.WriteLine(e.Message);
    return 78;
}

/// <summary>The API's entry point (also reachable as `computenet serve`).</summary>
public partial class Program;
