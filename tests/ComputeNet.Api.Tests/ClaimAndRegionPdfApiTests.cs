using System.Net;
using System.Net.Http.Json;
using UglyToad.PdfPig;
using static ComputeNet.Api.Tests.ApiTestHost;

namespace ComputeNet.Api.Tests;

/// <summary>
/// An issuer's claim and a region's revenue-share statement as PDF over HTTP after a real close (two buyers' §13 lines,
/// a 30 % compute voucher of one issuer, a pairing agreement splitting the platform fee 2:1:1): the figures read back with
/// PdfPig, and who may fetch which (another issuer's claim is 404, a buyer or provider is refused 403).
/// </summary>
public sealed class ClaimAndRegionPdfApiTests : IAsyncLifetime
{
    private ApiTestHost _host = null!;
    private HttpClient _buyer = null!;
    private HttpClient _provider = null!;
    private HttpClient _issuer = null!;
    private HttpClient _otherIssuer = null!;
    private HttpClient _regulator = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await StartAsync(At("2026-11-30T08:00:00+08:00"));
        _buyer = await _host.RegisterClientAsync(new { id = "sme-sh-1", roles = new[] { "buyer" }, city = "shanghai", sme = true, displayName = "上海智算科技", displayNameEn = "Shanghai AI Lab" });
        var otherBuyer = await _host.RegisterClientAsync(new { id = "sme-sh-2", roles = new[] { "buyer" }, city = "shanghai", sme = true });
        _provider = await _host.RegisterClientAsync(new { id = "prov-nx", roles = new[] { "provider" }, displayName = "中卫西部云" });
        _issuer = await _host.RegisterClientAsync(new { id = "sh-gov", roles = new[] { "issuer" }, displayName = "上海市经信委", displayNameEn = "Shanghai Commission" });
        _otherIssuer = await _host.RegisterClientAsync(new { id = "bj-gov", roles = new[] { "issuer" } });
        _regulator = await _host.RegisterClientAsync(new { id = "ndrc", roles = new[] { "regulator" } });

        await Ok(_host.Operator.PostAsJsonAsync("/v1/pairings", new { id = "pair-1", demandRegion = "east", demandCities = new[] { "shanghai" }, supplyHub = "ningxia",
            weights = new { platform = 2, demand = 1, supply = 1 } }, Json));
        await Ok(_issuer.PostAsJsonAsync("/v1/programmes", new { id = "sh-compute", kind = "compute", coverageBp = 3000, capFen = 100000, budgetFen = 1000000,
            validFrom = "2026-12-01T00:00:00+08:00", validTo = "2027-01-01T00:00:00+08:00", buyerCities = new[] { "shanghai" } }, Json));
        await Ok(_issuer.PostAsJsonAsync("/v1/grants", new { id = "g1", programme = "sh-compute", buyer = "sme-sh-1", faceFen = 100000 }, Json));
        await Ok(_issuer.PostAsJsonAsync("/v1/grants", new { id = "g2", programme = "sh-compute", buyer = "sme-sh-2", faceFen = 100000 }, Json));

        _host.Clock.Set(At("2026-11-30T09:00:00+08:00"));
        await ClosedDay.CloseAsync(_host, _provider, [(_buyer, "b1", "u0"), (otherBuyer, "b2", "u1")]);
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    private static async Task<string> PdfText(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType!.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        using var doc = PdfDocument.Open(bytes);
        return string.Join("\n", doc.GetPages().Select(p => string.Join(" ", p.GetWords().Select(w => w.Text))));
    }

    private static async Task AssertNotFound(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("not-found", (await ReadAsync(response))!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_issuer_gets_its_claim_as_pdf_with_the_lines_redeemed_by_programme_totals_and_hash()
    {
        var claim = Assert.Single((await ReadAsync(await Ok(_issuer.GetAsync("/v1/statements"))))![0]!["issuers"]!.AsArray())!;
        Assert.Equal(86_860, claim["redeemedFen"]!.GetValue<long>());

        var text = await PdfText(await _issuer.GetAsync("/v1/claims/2026-12-01.issuer.sh-gov/pdf"));

        Assert.Contains("2026-12-01.issuer.sh-gov", text);
        Assert.Contains("上海市经信委", text);
        Assert.Contains("sh-compute", text);
        Assert.Contains("1,447.68", text); // each §13 line's amount
        Assert.Contains("434.30", text); // 30 % of it, redeemed
        Assert.Contains("868.60", text); // the programme's and the claim's total: two lines
        Assert.Contains("g1", text);
        Assert.Contains("g2", text);
        Assert.Contains("Shanghai AI Lab", text);
        Assert.Contains(claim["hash"]!.GetValue<string>(), text);
        Assert.Contains("Owed to the platform", text);
    }

    [Fact]
    public async Task Regulators_get_a_regions_revenue_share_statement_as_pdf_with_the_paired_lines_it_came_from()
    {
        var period = (await ReadAsync(await Ok(_regulator.GetAsync("/v1/statements?period=2026-12-01"))))![0]!;
        var regions = period["regions"]!.AsArray().ToDictionary(r => r!["region"]!.GetValue<string>(), r => r!);
        // The fee of each line, 43.43 yuan, split 2:1:1 by largest remainder: 21.71 to the platform, 10.86 to each region.
        Assert.Equal(2_172, regions["east"]["shareFen"]!.GetValue<long>());
        Assert.Equal(2_172, regions["ningxia"]["shareFen"]!.GetValue<long>());

        var east = await PdfText(await _regulator.GetAsync("/v1/region-statements/2026-12-01.region.east/pdf"));
        Assert.Contains("2026-12-01.region.east", east);
        Assert.Contains("21.72", east);
        Assert.Contains("10.86", east);
        Assert.Contains("43.43", east); // the line's platform fee
        Assert.Contains("1,447.68", east);
        Assert.Contains("demand", east);
        Assert.Contains(regions["east"]["hash"]!.GetValue<string>(), east);

        var supply = await PdfText(await _host.Operator.GetAsync("/v1/region-statements/2026-12-01.region.ningxia/pdf"));
        Assert.Contains("supply", supply);
        Assert.Contains("21.72", supply);
    }

    [Fact]
    public async Task Another_issuers_claim_is_not_found_and_only_regulators_and_operators_read_region_statements()
    {
        await AssertNotFound(await _otherIssuer.GetAsync("/v1/claims/2026-12-01.issuer.sh-gov/pdf"));
        await AssertNotFound(await _issuer.GetAsync("/v1/claims/2026-12-02.issuer.sh-gov/pdf"));
        await AssertNotFound(await _issuer.GetAsync("/v1/claims/2026-12-01.provider.sh-gov/pdf"));
        await AssertNotFound(await _regulator.GetAsync("/v1/claims/not-an-id/pdf"));
        await AssertNotFound(await _regulator.GetAsync("/v1/region-statements/2026-12-01.region.nowhere/pdf"));
        await AssertNotFound(await _regulator.GetAsync("/v1/region-statements/2026-12-01.issuer.sh-gov/pdf"));
        Assert.Equal(HttpStatusCode.Forbidden, (await _buyer.GetAsync("/v1/claims/2026-12-01.issuer.sh-gov/pdf")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _provider.GetAsync("/v1/claims/2026-12-01.issuer.sh-gov/pdf")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _issuer.GetAsync("/v1/region-statements/2026-12-01.region.east/pdf")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _provider.GetAsync("/v1/region-statements/2026-12-01.region.east/pdf")).StatusCode);

        Assert.Contains("2026-12-01.issuer.sh-gov", await PdfText(await _regulator.GetAsync("/v1/claims/2026-12-01.issuer.sh-gov/pdf")));
        Assert.Contains("2026-12-01.issuer.sh-gov", await PdfText(await _host.Operator.GetAsync("/v1/claims/2026-12-01.issuer.sh-gov/pdf")));
    }
}
