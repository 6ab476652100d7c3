using ComputeNet.Domain.Money;
using ComputeNet.Domain.Parties;
using ComputeNet.Domain.Reference;
using ComputeNet.Domain.Settlement;
using NodaTime;

namespace ComputeNet.Domain.Vouchers;

/// <summary>
/// Event: an issuer opened a voucher programme (算力券 compute, 运力券 transport). Coverage in basis points of each
/// eligible line; cap per enterprise and budget in fen; validity <c>[ValidFrom, ValidTo)</c>; eligibility: SMEs only,
/// and optionally buyer cities, lease families and supply hubs (null = any).
/// </summary>
public sealed record ProgrammeCreated(
    string ProgrammeId, string Issuer, string Kind, int CoverageBp, long CapFen, long BudgetFen, Instant ValidFrom, Instant ValidTo,
    IReadOnlyList<string>? BuyerCities, IReadOnlyList<string>? Families, IReadOnlyList<string>? SupplyHubs, Instant At);

/// <summary>Event: the issuer closed its programme early; no new grants (vouchers already granted stay valid).</summary>
public sealed record ProgrammeClosed(string ProgrammeId, Instant At);

/// <summary>Event: a voucher of <see cref="FaceFen"/> was granted to an SME; the budget is committed at grant.</summary>
public sealed record VoucherGranted(string GrantId, string ProgrammeId, string Buyer, long FaceFen, Instant At);

/// <summary>Event: a close redeemed part of a voucher against one invoice line (the issuer owes the platform this).</summary>
public sealed record VoucherRedeemed(string GrantId, string ProgrammeId, string Buyer, string Period, string TxId, string LeaseId, string LineKind,
    bool Late, long AmountFen, Instant At);

/// <summary>Event: every period starting inside the voucher's validity is closed; what was left returns to the budget.</summary>
public sealed record VoucherLapsed(string GrantId, string ProgrammeId, string Buyer, string Period, long AmountFen, Instant At);

public sealed record CreateProgramme(string Issuer, string? ProgrammeId, string Kind, int CoverageBp, long CapFen, long BudgetFen, Instant ValidFrom,
    Instant ValidTo, IReadOnlyList<string>? BuyerCities, IReadOnlyList<string>? Families, IReadOnlyList<string>? SupplyHubs, Instant At);

public sealed record GrantVoucher(string? Issuer, string? GrantId, string ProgrammeId, string Buyer, long FaceFen, Instant At);

public sealed class Programme
{
    public required ProgrammeCreated Terms { get; init; }
    public bool ClosedEarly { get; set; }
    /// <summary>Face value of every grant minus what lapsed back: never above the budget.</summary>
    public long CommittedFen { get; set; }
    public long RedeemedFen { get; set; }
    public long LapsedFen { get; set; }
    public Dictionary<string, long> GrantedPerBuyer { get; } = new(StringComparer.Ordinal);

    public long RemainingBudgetFen => Terms.BudgetFen - CommittedFen;
}

/// <summary>A voucher: one grant. Invariant: 0 ≤ Balance ≤ Face.</summary>
public sealed class Voucher
{
    public required VoucherGranted Grant { get; init; }
    public required long GrantOrder { get; init; }
    public long BalanceFen { get; set; }
    public bool Lapsed { get; set; }
}

/// <summary>
/// Every programme and voucher (one stream, so grants and the closes that redeem are serialised by its expected
/// version). Decisions never take a voucher or a budget below zero or a cap above its limit.
/// </summary>
public sealed class VoucherBook
{
    private readonly Dictionary<string, Programme> _programmes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Voucher> _vouchers = new(StringComparer.Ordinal);

    public IReadOnlyCollection<Programme> Programmes => _programmes.Values;
    public IReadOnlyCollection<Voucher> Vouchers => _vouchers.Values;
    public Programme? Programme(string id) => _programmes.GetValueOrDefault(id);
    public Voucher? Voucher(string grantId) => _vouchers.GetValueOrDefault(grantId);

    public IReadOnlyList<object> Decide(CreateProgramme cmd, Func<string, Party?> parties, Catalogue catalogue, PeriodCalendar calendar)
    {
        var issuer = parties(cmd.Issuer) ?? throw RejectedException.Of(Codes.UnknownParty, $"no party '{cmd.Issuer}' is registered", "party");
        if (!issuer.Has(PartyRoles.Issuer))
        {
            throw RejectedException.Of(Codes.WrongRole, $"'{cmd.Issuer}' is not a voucher issuer", "party");
        }
        if (string.IsNullOrWhiteSpace(cmd.ProgrammeId) || cmd.ProgrammeId.Length > 64)
        {
            throw RejectedException.Of(Codes.Invalid, "a programme needs an id of at most 64 characters", "id");
        }
        var proposed = new ProgrammeCreated(cmd.ProgrammeId, cmd.Issuer, cmd.Kind, cmd.CoverageBp, cmd.CapFen, cmd.BudgetFen, cmd.ValidFrom, cmd.ValidTo,
            cmd.BuyerCities, cmd.Families, cmd.SupplyHubs, cmd.At);
        if (_programmes.TryGetValue(cmd.ProgrammeId, out var existing))
        {
            return SameProgramme(existing.Terms, proposed) ? []
                : throw RejectedException.Of(Codes.IdReused, $"programme '{cmd.ProgrammeId}' already exists with other terms", "id");
        }
        if (cmd.Kind is not ("compute" or "transport"))
        {
            throw RejectedException.Of(Codes.Invalid, "a programme's kind is 'compute' (算力券) or 'transport' (运力券)", "kind");
        }
        if (cmd.CoverageBp is <= 0 or > BasisPoints.Whole)
        {
            throw RejectedException.Of(Codes.Invalid, "coverage is between 1 and 10000 basis points (100 %)", "coverageBp");
        }
        if (cmd.CapFen <= 0 || cmd.BudgetFen <= 0)
        {
            throw RejectedException.Of(Codes.Invalid, "cap and budget are whole fen above 0", cmd.CapFen <= 0 ? "capFen" : "budgetFen");
        }
        if (cmd.CapFen > Fen.MaxSafe || cmd.BudgetFen > Fen.MaxSafe)
        {
            throw RejectedException.Of(Codes.Invalid, $"cap and budget are at most {Fen.MaxSafe} fen (market-rules §6)", cmd.CapFen > Fen.MaxSafe ? "capFen" : "budgetFen");
        }
        if (cmd.ValidTo <= cmd.ValidFrom)
        {
            throw RejectedException.Of(Codes.Invalid, "the validity must end after it starts", "validTo");
        }
        if (!PeriodStartsInside(calendar, cmd.ValidFrom, cmd.ValidTo).Any())
        {
            throw RejectedException.Of(Codes.Invalid, "the validity holds no settlement period start, so no line could ever be covered", "validFrom");
        }
        foreach (var city in cmd.BuyerCities ?? [])
        {
            _ = catalogue.City(city) ?? throw RejectedException.Of(Codes.Invalid, $"unknown city '{city}'", "buyerCities");
        }
        foreach (var family in cmd.Families ?? [])
        {
            _ = Slugs.TryParseFamily(family, out _) ? family : throw RejectedException.Of(Codes.Invalid, $"unknown family '{family}'", "families");
        }
        foreach (var hub in cmd.SupplyHubs ?? [])
        {
            _ = catalogue.Hub(hub) ?? throw RejectedException.Of(Codes.Invalid, $"unknown hub '{hub}'", "supplyHubs");
        }
        return [proposed];
    }

    public IReadOnlyList<object> Decide(ProgrammeClosed cmd, string issuer)
    {
        var programme = _programmes.GetValueOrDefault(cmd.ProgrammeId)
            ?? throw RejectedException.Of(Codes.Invalid, $"no programme '{cmd.ProgrammeId}'", "programme");
        if (programme.Terms.Issuer != issuer)
        {
            throw RejectedException.Of(Codes.Invalid, $"programme '{cmd.ProgrammeId}' belongs to another issuer", "programme");
        }
        return programme.ClosedEarly ? [] : [cmd];
    }

    /// <summary>A grant, checked in the order of market-rules §9 and §12; rejected whole, never cut down.</summary>
    public IReadOnlyList<object> Decide(GrantVoucher cmd, Func<string, Party?> parties)
    {
        var buyer = parties(cmd.Buyer) ?? throw RejectedException.Of(Codes.UnknownParty, $"no party '{cmd.Buyer}' is registered", "buyer");
        if (!buyer.Has(PartyRoles.Buyer))
        {
            throw RejectedException.Of(Codes.WrongRole, $"'{cmd.Buyer}' is not a buyer", "buyer");
        }
        if (string.IsNullOrWhiteSpace(cmd.GrantId) || cmd.GrantId.Length > 64)
        {
            throw RejectedException.Of(Codes.Invalid, "a grant needs an id of at most 64 characters", "id");
        }
        if (_vouchers.TryGetValue(cmd.GrantId, out var existing))
        {
            var g = existing.Grant;
            return g.ProgrammeId == cmd.ProgrammeId && g.Buyer == cmd.Buyer && g.FaceFen == cmd.FaceFen ? []
                : throw RejectedException.Of(Codes.IdReused, $"grant id '{cmd.GrantId}' was already used with other content", "id");
        }
        var programme = _programmes.GetValueOrDefault(cmd.ProgrammeId)
            ?? throw RejectedException.Of(Codes.Invalid, $"no programme '{cmd.ProgrammeId}'", "programme");
        if (cmd.Issuer is not null && programme.Terms.Issuer != cmd.Issuer)
        {
            throw RejectedException.Of(Codes.Invalid, $"programme '{cmd.ProgrammeId}' belongs to another issuer", "programme");
        }
        if (cmd.FaceFen <= 0)
        {
            throw RejectedException.Of(Codes.Invalid, "a voucher's face value is whole fen above 0", "faceFen");
        }
        if (cmd.FaceFen > Fen.MaxSafe)
        {
            throw RejectedException.Of(Codes.Invalid, $"a voucher's face value is at most {Fen.MaxSafe} fen (market-rules §6)", "faceFen");
        }
        if (!buyer.Sme)
        {
            throw RejectedException.Of(Codes.NotSme, $"'{cmd.Buyer}' is not registered as an SME", "buyer");
        }
        var terms = programme.Terms;
        if (terms.BuyerCities is { } cities && !cities.Contains(buyer.City ?? ""))
        {
            throw RejectedException.Of(Codes.NotEligible, $"'{cmd.Buyer}' is registered in {buyer.City}, outside the programme's cities", "buyer");
        }
        if (cmd.At >= terms.ValidTo || programme.ClosedEarly)
        {
            throw RejectedException.Of(Codes.NotEligible, programme.ClosedEarly ? "the programme was closed early" : "the programme's validity has ended", "programme");
        }
        var capLeft = terms.CapFen - programme.GrantedPerBuyer.GetValueOrDefault(cmd.Buyer);
        if (cmd.FaceFen > capLeft)
        {
            throw RejectedException.Of(Codes.OverCap, $"{cmd.FaceFen} fen is above what is left of the cap for '{cmd.Buyer}' ({capLeft} fen)", "faceFen");
        }
        if (cmd.FaceFen > programme.RemainingBudgetFen)
        {
            throw RejectedException.Of(Codes.OverBudget, $"{cmd.FaceFen} fen is above what is left of the budget ({programme.RemainingBudgetFen} fen)", "faceFen");
        }
        return [new VoucherGranted(cmd.GrantId, cmd.ProgrammeId, cmd.Buyer, cmd.FaceFen, cmd.At)];
    }

    public void Evolve(object e)
    {
        switch (e)
        {
            case ProgrammeCreated p:
                _programmes[p.ProgrammeId] = new Programme { Terms = p };
                break;
            case ProgrammeClosed c:
                _programmes[c.ProgrammeId].ClosedEarly = true;
                break;
            case VoucherGranted g:
            {
                var programme = _programmes[g.ProgrammeId];
                programme.CommittedFen = checked(programme.CommittedFen + g.FaceFen);
                programme.GrantedPerBuyer[g.Buyer] = checked(programme.GrantedPerBuyer.GetValueOrDefault(g.Buyer) + g.FaceFen);
                _vouchers[g.GrantId] = new Voucher { Grant = g, GrantOrder = _vouchers.Count + 1, BalanceFen = g.FaceFen };
                Invariant(programme.CommittedFen <= programme.Terms.BudgetFen, $"programme {g.ProgrammeId} over budget");
                break;
            }
            case VoucherRedeemed r:
            {
                var voucher = _vouchers[r.GrantId];
                voucher.BalanceFen = checked(voucher.BalanceFen - r.AmountFen);
                _programmes[r.ProgrammeId].RedeemedFen = checked(_programmes[r.ProgrammeId].RedeemedFen + r.AmountFen);
                Invariant(voucher.BalanceFen >= 0, $"voucher {r.GrantId} below zero");
                break;
            }
            case VoucherLapsed l:
            {
                var voucher = _vouchers[l.GrantId];
                voucher.BalanceFen = checked(voucher.BalanceFen - l.AmountFen);
                voucher.Lapsed = true;
                var programme = _programmes[l.ProgrammeId];
                programme.CommittedFen = checked(programme.CommittedFen - l.AmountFen);
                programme.LapsedFen = checked(programme.LapsedFen + l.AmountFen);
                Invariant(voucher.BalanceFen == 0, $"voucher {l.GrantId} lapsed with a balance left");
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name, "unknown voucher event");
        }
    }

    /// <summary>The periods whose start lies inside <c>[from, to)</c>: the periods a voucher can cover.</summary>
    public static IEnumerable<SettlementPeriod> PeriodStartsInside(PeriodCalendar calendar, Instant from, Instant to) =>
        calendar.Covering(from, to).Where(p => p.Start >= from && p.Start < to);

    private static bool SameProgramme(ProgrammeCreated a, ProgrammeCreated b) =>
        a.Issuer == b.Issuer && a.Kind == b.Kind && a.CoverageBp == b.CoverageBp && a.CapFen == b.CapFen && a.BudgetFen == b.BudgetFen
        && a.ValidFrom == b.ValidFrom && a.ValidTo == b.ValidTo && Same(a.BuyerCities, b.BuyerCities) && Same(a.Families, b.Families)
        && Same(a.SupplyHubs, b.SupplyHubs);

    private static bool Same(IReadOnlyList<string>? a, IReadOnlyList<string>? b) =>
        a is null ? b is null : b is not null && a.Order().SequenceEqual(b.Order());

    private static void Invariant(bool holds, string what)
    {
        if (!holds)
        {
            throw new InvalidOperationException($"invariant broken: {what}");
        }
    }
}
