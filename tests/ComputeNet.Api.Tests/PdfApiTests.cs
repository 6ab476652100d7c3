using System.Net;
using System.Net.Http.Json;
using UglyToad.PdfPig;
using static ComputeNet.Api.Tests.ApiTestHost;

namespace ComputeNet.Api.Tests;

/// <summary>
/// PDF invoices and statements over HTTP after a real close (the §13 day with a 30 % compute voucher): the content
/// type, the figures read back from the PDF, and who may fetch which document (others' documents are 404).
/// </summary>
public sealed class PdfApiTests : IAsyncLifetime
{
    private ApiTestHost _host = null!;
    private HttpClient _buyer = null!;
    private HttpClient _otherBuyer = null!;
    private HttpClient _provider = null!;
    private HttpClient _otherProvider = null!;
    private HttpClient _regulator = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await StartAsync(At("2026-11-30T08:00:00+08:00"));
        _buyer = await _host.RegisterClientAsync(new { id = "sme-sh-1", roles = new[] { "buyer" }, city = "shanghai", sme = true, displayName = "上海智算科技", displayNameEn = "Shanghai AI Lab" });
        _otherBuyer = await _host.RegisterClientAsync(new { id = "sme-sh-2", roles = new[] { "buyer" }, city = "shanghai", sme = true });
        _provider = await _host.RegisterClientAsync(new { id = "prov-nx", roles = new[] { "provider" }, displayName = "中卫西部云", displayNameEn = "Zhongwei West Cloud" });
        _otherProvider = await _host.RegisterClientAsync(new { id = "prov-gy", roles = new[] { "provider" } });
        var issuer = await _host.RegisterClientAsync(new { id = "sh-gov", roles = new[] { "issuer" }, displayName = "上海市经信委" });
        _regulator = await _host.RegisterClientAsync(new { id = "ndrc", roles = new[] { "regulator" } });

        await Ok(issuer.PostAsJsonAsync("/v1/programmes", new { id = "sh-compute", kind = "compute", coverageBp = 3000, capFen = 100000, budgetFen = 1000000,
            validFrom = "2026-12-01T00:00:00+08:00", validTo = "2027-01-01T00:00:00+08:00", buyerCities = new[] { "shanghai" } }, Json));
        await Ok(issuer.PostAsJsonAsync("/v1/grants", new { id = "g1", programme = "sh-compute", buyer = "sme-sh-1", faceFen = 100000 }, Json));

        _host.Clock.Set(At("2026-11-30T09:00:00+08:00"));
        await ClosedDay.CloseAsync(_host, _provider, [(_buyer, "b1", "u0"), (_otherBuyer, "b2", "u1")]);
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    /// <summary>Invoices and usage over HTTP (paged in the store): each party sees its own; pages of 1 walk the list with nextOffset.</summary>
    [Fact]
    public async Task Invoices_and_usage_page_in_the_store_and_each_party_sees_only_its_own()
    {
        async Task<(List<string> Ids, int? Next)> Page(HttpClient client, string path, string field)
        {
            var body = (await ReadAsync(await Ok(client.GetAsync(path))))!;
            return (body["items"]!.AsArray().Select(i => i![field]!.GetValue<string>()).ToList(), body["nextOffset"]?.GetValue<int>());
        }

        static void Expect((List<string> Ids, int? Next) page, string[] ids, int? next)
        {
            Assert.Equal(ids, page.Ids);
            Assert.Equal(next, page.Next);
        }

        var own = await Page(_buyer, "/v1/invoices", "buyer");
        Expect(own, ["sme-sh-1"], null);
        // A buyer asking for another's invoices still gets only its own (the key scopes the list).
        var other = await Page(_otherBuyer, "/v1/invoices?buyer=sme-sh-1", "buyer");
        Expect(other, ["sme-sh-2"], null);
        var first = await Page(_regulator, "/v1/invoices?limit=1", "buyer");
        Expect(first, ["sme-sh-1"], 1);
        var second = await Page(_regulator, "/v1/invoices?limit=1&offset=1", "buyer");
        Expect(second, ["sme-sh-2"], null);
        Assert.Empty((await Page(_regulator, "/v1/invoices?offset=2", "buyer")).Ids);
        Assert.Equal(["sme-sh-2"], (await Page(_regulator, "/v1/invoices?buyer=sme-sh-2&period=2026-12-01", "buyer")).Ids);
        Assert.Empty((await Page(_regulator, "/v1/invoices?period=2026-12-02", "buyer")).Ids);

        var usage1 = await Page(_provider, "/v1/usage?limit=1", "recordId");
        Expect(usage1, ["u0"], 1);
        var usage2 = await Page(_provider, "/v1/usage?limit=1&offset=1", "recordId");
        Expect(usage2, ["u1"], null);
        Assert.Empty((await Page(_otherProvider, "/v1/usage?party=prov-nx", "recordId")).Ids);
        Assert.Equal(["u0", "u1"], (await Page(_regulator, "/v1/usage?party=prov-nx", "recordId")).Ids);

        var statements = (await ReadAsync(await Ok(_otherProvider.GetAsync("/v1/statements"))))!.AsArray();
        Assert.Empty(statements);
        var mine = Assert.Single((await ReadAsync(await Ok(_provider.GetAsync("/v1/statements"))))!.AsArray());
        Assert.Equal("prov-nx", Assert.Single(mine!["providers"]!.AsArray())!["party"]!.GetValue<string>());
        Assert.Equal(0, mine["platformFeeFen"]!.GetValue<long>());
    }

    private static async Task<string> PdfText(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType!.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.StartsWith("%PDF-", System.Text.Encoding.ASCII.GetString(bytes, 0, 5));
        using var doc = PdfDocument.Open(bytes);
        return string.Join("\n", doc.GetPages().Select(p => string.Join(" ", p.GetWords().Select(w => w.Text))));
    }

    private static async Task AssertNotFound(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("not-found", (await ReadAsync(response))!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_buyer_gets_its_invoice_as_pdf_with_lines_voucher_due_hash_and_chinese_names()
    {
        var json = (await ReadAsync(await _buyer.GetAsync("/v1/invoices?period=2026-12-01")))!["items"]![0]!;
        var text = await PdfText(await _buyer.GetAsync("/v1/invoices/2026-12-01.sme-sh-1/pdf"));

        Assert.Contains("2026-12-01.sme-sh-1", text);
        Assert.Contains("1,447.68", text); // the §13 compute line
        Assert.Contains("81.94", text); // its VAT
        Assert.Contains("-434.30", text); // 30 % voucher part
        Assert.Contains("1,013.38", text); // due
        Assert.Equal(101_338, json["dueFen"]!.GetValue<long>());
        Assert.Contains(json["hash"]!.GetValue<string>(), text);
        Assert.Contains("上海智算科技", text);
        Assert.Contains("Shanghai AI Lab", text);
        Assert.Contains("中卫", text);
        Assert.Contains("上海市经信委", text);
    }

    [Fact]
    public async Task A_provider_gets_its_statement_as_pdf_with_gross_fee_net_and_hash()
    {
        var json = (await ReadAsync(await _provider.GetAsync("/v1/statements")))![0]!["providers"]![0]!;
        var text = await PdfText(await _provider.GetAsync("/v1/statements/2026-12-01.provider.prov-nx/pdf"));
        Assert.Contains("2026-12-01.provider.prov-nx", text);
        Assert.Contains("中卫西部云", text);
        Assert.Contains("2,895.36", text); // gross: two lines of 1,447.68
        Assert.Contains("-86.86", text); // fee: 2 × 4,343 fen
        Assert.Contains("2,808.50", text); // net
        Assert.Contains(json["hash"]!.GetValue<string>(), text);
    }

    [Fact]
    public async Task Another_partys_document_is_not_found_and_regulators_read_every_one()
    {
        await AssertNotFound(await _otherBuyer.GetAsync("/v1/invoices/2026-12-01.sme-sh-1/pdf"));
        await AssertNotFound(await _otherProvider.GetAsync("/v1/statements/2026-12-01.provider.prov-nx/pdf"));
        await AssertNotFound(await _buyer.GetAsync("/v1/invoices/2026-12-02.sme-sh-1/pdf"));
        await AssertNotFound(await _buyer.GetAsync("/v1/invoices/not-an-id/pdf"));
        await AssertNotFound(await _regulator.GetAsync("/v1/statements/2026-12-01.buyer.sme-sh-1/pdf"));
        Assert.Equal(HttpStatusCode.Forbidden, (await _buyer.GetAsync("/v1/statements/2026-12-01.provider.prov-nx/pdf")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _provider.GetAsync("/v1/invoices/2026-12-01.sme-sh-1/pdf")).StatusCode);

        Assert.Contains("2026-12-01.sme-sh-2", await PdfText(await _otherBuyer.GetAsync("/v1/invoices/2026-12-01.sme-sh-2/pdf")));
        Assert.Contains("2026-12-01.sme-sh-1", await PdfText(await _regulator.GetAsync("/v1/invoices/2026-12-01.sme-sh-1/pdf")));
        Assert.Contains("2026-12-01.provider.prov-nx", await PdfText(await _host.Operator.GetAsync("/v1/statements/2026-12-01.provider.prov-nx/pdf")));
    }
}
