using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace ComputeNet.Portal.Tests;

/// <summary>The API calls the portal's test hosts make beside the browser: a client holding a key, a JSON read, a key rotation.</summary>
public static class ApiCalls
{
    public static HttpClient Client(Uri address, string key)
    {
        var client = new HttpClient { BaseAddress = address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public static async Task<JsonNode> GetJsonAsync(Uri address, string key, string path)
    {
        using var client = Client(address, key);
        return (await client.GetFromJsonAsync<JsonNode>(path))!;
    }

    /// <summary>A new key for the party, issued by the operator over the API; the party's previous key stops working at once.</summary>
    public static async Task<string> RotateKeyAsync(Uri address, string operatorKey, string party)
    {
        using var client = Client(address, operatorKey);
        using var answer = await client.PostAsync($"/v1/parties/{party}/keys", null);
        var body = JsonNode.Parse(await answer.Content.ReadAsStringAsync());
        Assert.True(answer.IsSuccessStatusCode, $"rotate {party}: {(int)answer.StatusCode} {body}");
        return body!["apiKey"]!.GetValue<string>();
    }
}
