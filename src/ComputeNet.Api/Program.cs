using ComputeNet.Api;

await ApiHost.RunAsync(new ApiHostOptions { Args = args });

/// <summary>The API's entry point (also reachable as `computenet serve`).</summary>
public partial class Program;
