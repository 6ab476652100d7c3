using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using UglyToad.PdfPig;
using static ComputeNet.Api.Tests.ApiTestHost;

namespace ComputeNet.Api.Tests;

/// <summary>
/// Disputes and credit notes over HTTP (market-rules §14) after a real close of the §13 day: sme-sh-1's line of 144,768
/// fen with a 30 % voucher of sh-gov (43,430) and a fee of 4,343 to the platform (no pairing), sme-sh-2's line of the same
/// amount without voucher. Each role, each code, repeats, and what each party may read.
/// </summary>
public sealed class DisputeApiTests : IAsyncLifetime
{
    private ApiTestHost _host = null!;
    private HttpClient _buyer = null!;
    private HttpClient _otherBuyer = null!;
    private HttpClient _provider = null!;
    private HttpClient _otherProvider = null!;
    private HttpClient _issuer = null!;
    private HttpClient _regulator = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await StartAsync(At("2026-11-30T08:00:00+08:00"));
        _buyer = await _host.RegisterClientAsync(new { id = "sme-sh-1", roles = new[] { "buyer" }, city = "shanghai", sme = true, displayName = "上海智算科技" });
        _otherBuyer = await _host.RegisterClientAsync(new { id = "sme-sh-2", roles = new[] { "buyer" }, city = "shanghai", sme = true });
        _provider = await _host.RegisterClientAsync(new { id = "prov-nx", roles = new[] { "provider" } });
        _otherProvider = await _host.RegisterClientAsync(new { id = "prov-gy", roles = new[] { "provider" } });
        _issuer = await _host.RegisterClientAsync(new { id = "sh-gov", roles = new[] { "issuer" } });
        _regulator = await _host.RegisterClientAsync(new { id = "ndrc", roles = new[] { "regulator" } });

        await Ok(_issuer.PostAsJsonAsync("/v1/programmes", new { id = "sh-compute", kind = "compute", coverageBp = 3000, capFen = 100000, budgetFen = 1000000,
            validFrom = "2026-12-01T00:00:00+08:00", validTo = "2027-01-01T00:00:00+08:00", buyerCities = new[] { "shanghai" } }, Json));
        await Ok(_issuer.PostAsJsonAsync("/v1/grants", new { id = "g1", programme = "sh-compute", buyer = "sme-sh-1", faceFen = 100000 }, Json));

        _host.Clock.Set(At("2026-11-30T09:00:00+08:00"));
        await ClosedDay.CloseAsync(_host, _provider, [(_buyer, "b1", "u0"), (_otherBuyer, "b2", "u1")]);
        _host.Clock.Set(At("2026-12-03T09:00:00+08:00"));
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    private static object Dispute(string id, long amount, string bid = "b1", string reason = "usage counted twice", string period = "2026-12-01") =>
        new { id, period, bid, offer = "of1", kind = "compute", late = false, amountFen = amount, reason };

    private static async Task Problem(HttpResponseMessage response, HttpStatusCode status, string code, string? field)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = JsonNode.Parse(body)!;
        Assert.Equal(code, problem["code"]!.GetValue<string>());
        Assert.Equal(field, problem["field"]?.GetValue<string>());
    }

    private static async Task<List<string>> Ids(HttpResponseMessage response) =>
        (await ReadAsync(await Ok(Task.FromResult(response))))!["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()).ToList();

    [Fact]
    public async Task A_buyer_disputes_its_line_and_every_code_answers_as_a_problem()
    {
        var created = await _buyer.PostAsJsonAsync("/v1/disputes", Dispute("d1", 10_000), Json);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var view = (await ReadAsync(created))!;
        Assert.Equal(("d1", "open", 10_000L), (view["id"]!.GetValue<string>(), view["state"]!.GetValue<string>(), view["claimFen"]!.GetValue<long>()));
        Assert.Equal(HttpStatusCode.OK, (await _buyer.PostAsJsonAsync("/v1/disputes", Dispute("d1", 10_000), Json)).StatusCode);

        await Problem(await _buyer.PostAsJsonAsync("/v1/disputes", Dispute("d1", 9_999), Json), HttpStatusCode.Conflict, "id-reused", "id");
        await Problem(await _buyer.PostAsJsonAsync("/v1/disputes", Dispute("d2", 5), Json), HttpStatusCode.Conflict, "dispute-open", "id");
        await Problem(await _buyer.PostAsJsonAsync("/v1/disputes", Dispute("d2", 0), Json), HttpStatusCode.BadRequest, "invalid", "amountFen");
        await Problem(await _buyer.PostAsJsonAsync("/v1/disputes", Dispute("d2", 144_769), Json), HttpStatusCode.BadRequest, "invalid", "amountFen");
        await Problem(await _buyer.PostAsJsonAsync("/v1/disputes", Dispute("d2", 5, reason: new string('x', 501)), Json), HttpStatusCode.BadRequest, "invalid", "reason");
        // Another buyer's line is no line of this buyer.
        await Problem(await _buyer.PostAsJsonAsync("/v1/disputes", Dispute("d2", 5, bid: "b2"), Json), HttpStatusCode.BadRequest, "invalid", "period");
        await Problem(await _buyer.PostAsJsonAsync("/v1/disputes", Dispute("d2", 5, period: "2026-12-02"), Json), HttpStatusCode.BadRequest, "invalid", "period");
        // The same id is the same dispute for every buyer: disputes have one id space.
        await Problem(await _otherBuyer.PostAsJsonAsync("/v1/disputes", Dispute("d1", 5, bid: "b2"), Json), HttpStatusCode.Conflict, "id-reused", "id");

        Assert.Equal(HttpStatusCode.Forbidden, (await _provider.PostAsJsonAsync("/v1/disputes", Dispute("d3", 5), Json)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _host.Operator.PostAsJsonAsync("/v1/disputes", Dispute("d3", 5), Json)).StatusCode);

        _host.Clock.Set(At("2027-01-01T01:00:00+08:00"));
        await Problem(await _otherBuyer.PostAsJsonAsync("/v1/disputes", Dispute("d4", 5, bid: "b2"), Json), (HttpStatusCode)422, "dispute-window-ended", "at");
    }

    [Fact]
    public async Task Buyers_read_their_own_disputes_and_operators_and_regulators_read_all()
    {
        await Ok(_buyer.PostAsJsonAsync("/v1/disputes", Dispute("d1", 100), Json));
        await Ok(_otherBuyer.PostAsJsonAsync("/v1/disputes", Dispute("e1", 200, bid: "b2"), Json));
        await Ok(_host.Operator.PostAsync("/v1/disputes/e1/reject", null));

        Assert.Equal(["d1"], await Ids(await _buyer.GetAsync("/v1/disputes?buyer=sme-sh-2")));
        Assert.Equal(["e1"], await Ids(await _otherBuyer.GetAsync("/v1/disputes")));
        Assert.Equal(["d1", "e1"], await Ids(await _regulator.GetAsync("/v1/disputes")));
        Assert.Equal(["d1"], await Ids(await _host.Operator.GetAsync("/v1/disputes?state=open")));
        Assert.Equal(["e1"], await Ids(await _host.Operator.GetAsync("/v1/disputes?state=rejected&period=2026-12-01")));
        Assert.Equal(["d1"], await Ids(await _host.Operator.GetAsync("/v1/disputes?limit=1")));
        await Problem(await _host.Operator.GetAsync("/v1/disputes?state=maybe"), HttpStatusCode.BadRequest, "invalid", "state");

        Assert.Equal("d1", (await ReadAsync(await Ok(_buyer.GetAsync("/v1/disputes/d1"))))!["id"]!.GetValue<string>());
        await Problem(await _otherBuyer.GetAsync("/v1/disputes/d1"), HttpStatusCode.NotFound, "not-found", "id");
        Assert.Equal("rejected", (await ReadAsync(await Ok(_regulator.GetAsync("/v1/disputes/e1"))))!["state"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Forbidden, (await _provider.GetAsync("/v1/disputes")).StatusCode);
    }

    [Fact]
    public async Task The_operator_accepts_once_and_each_party_sees_the_credit_note_as_it_concerns_it()
    {
        await Ok(_buyer.PostAsJsonAsync("/v1/disputes", Dispute("d1", 12_000), Json));
        Assert.Equal(HttpStatusCode.Forbidden, (await _buyer.PostAsJsonAsync("/v1/disputes/d1/accept", new { amountFen = 1 }, Json)).StatusCode);
        await Problem(await _host.Operator.PostAsJsonAsync("/v1/disputes/d1/accept", new { amountFen = 12_001 }, Json), HttpStatusCode.BadRequest, "invalid", "amountFen");
        await Problem(await _host.Operator.PostAsJsonAsync("/v1/disputes/nope/accept", new { amountFen = 1 }, Json), HttpStatusCode.BadRequest, "invalid", "dispute");

        var accepted = (await ReadAsync(await Ok(_host.Operator.PostAsJsonAsync("/v1/disputes/d1/accept", new { amountFen = 10_000 }, Json))))!;
        Assert.Equal(("accepted", 10_000L, "cn-d1"), (accepted["state"]!.GetValue<string>(), accepted["acceptedFen"]!.GetValue<long>(), accepted["creditNote"]!.GetValue<string>()));
        var again = (await ReadAsync(await Ok(_host.Operator.PostAsJsonAsync("/v1/disputes/d1/accept", new { amountFen = 10_000 }, Json))))!;
        Assert.True(again["repeat"]!.GetValue<bool>());
        await Problem(await _host.Operator.PostAsync("/v1/disputes/d1/reject", null), HttpStatusCode.BadRequest, "invalid", "outcome");

        // x 10,000: v over (101,338, 43,430) = 7,000 / 3,000; earner and platform over (140,425, 4,343) = 9,700 / 300.
        var note = (await ReadAsync(await Ok(_buyer.GetAsync("/v1/credit-notes/cn-d1"))))!;
        Assert.Equal((-10_000L, -566L, -3_000L, -7_000L), (note["amountFen"]!.GetValue<long>(), note["taxFen"]!.GetValue<long>(),
            note["voucherFen"]!.GetValue<long>(), note["dueFen"]!.GetValue<long>()));
        Assert.Equal(["cn-d1"], await Ids(await _buyer.GetAsync("/v1/credit-notes")));
        Assert.Empty(await Ids(await _otherBuyer.GetAsync("/v1/credit-notes")));
        await Problem(await _otherBuyer.GetAsync("/v1/credit-notes/cn-d1"), HttpStatusCode.NotFound, "not-found", "id");
        var earner = (await ReadAsync(await Ok(_provider.GetAsync("/v1/credit-notes"))))!["items"]![0]!;
        Assert.Equal(9_700, earner["givesBackFen"]!.GetValue<long>());
        Assert.Empty(await Ids(await _otherProvider.GetAsync("/v1/credit-notes")));
        var issuer = (await ReadAsync(await Ok(_issuer.GetAsync("/v1/credit-notes"))))!["items"]![0]!;
        Assert.Equal(3_000, issuer["owesLessFen"]!.GetValue<long>());
        Assert.Equal(["cn-d1"], await Ids(await _regulator.GetAsync("/v1/credit-notes")));

        var ledger = (await ReadAsync(await Ok(_host.Operator.GetAsync("/v1/ledger"))))!;
        Assert.Equal(101_338 - 7_000, ledger["balances"]!["buyer:sme-sh-1"]!.GetValue<long>());
        Assert.Equal(43_430 - 3_000, ledger["balances"]!["issuer:sh-gov"]!.GetValue<long>());
        Assert.Equal(0, ledger["trialBalanceFen"]!.GetValue<long>());
        var verify = (await ReadAsync(await Ok(_regulator.GetAsync("/v1/verify"))))!;
        Assert.True(verify["ok"]!.GetValue<bool>(), verify.ToJsonString());
        Assert.Equal(1, verify["creditNotes"]!.GetValue<int>());

        var pdf = await _buyer.GetAsync("/v1/credit-notes/cn-d1/pdf");
        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType!.MediaType);
        using (var doc = PdfDocument.Open(await pdf.Content.ReadAsByteArrayAsync()))
        {
            var text = string.Join("\n", doc.GetPages().Select(p => string.Join(" ", p.GetWords().Select(w => w.Text))));
            Assert.Contains("cn-d1", text);
            Assert.Contains("-100.00", text); // the credit
            Assert.Contains("-70.00", text); // credited to the buyer
            Assert.Contains("1,447.68", text); // the line it corrects
            Assert.Contains("usage counted twice", text);
            Assert.Contains(note["hash"]!.GetValue<string>(), text);
        }
        Assert.Equal(HttpStatusCode.OK, (await _provider.GetAsync("/v1/credit-notes/cn-d1/pdf")).StatusCode);
        await Problem(await _otherBuyer.GetAsync("/v1/credit-notes/cn-d1/pdf"), HttpStatusCode.NotFound, "not-found", "creditNoteId");
        await Problem(await _otherProvider.GetAsync("/v1/credit-notes/cn-d1/pdf"), HttpStatusCode.NotFound, "not-found", "creditNoteId");
    }
}
