using ComputeNet.Application.Vouchers.CreateProgramme;
using ComputeNet.Application.Vouchers.GrantVoucher;
using ComputeNet.Domain.Vouchers;
using Marten;
using Mediator;

namespace ComputeNet.Application.Vouchers.ListVouchers;

/// <summary>Vouchers with their balances: a buyer's own, an issuer's programmes', or all (regulators, operators).</summary>
public sealed record ListVouchersRequest(string? Buyer = null, string? Issuer = null) : IQuery<IReadOnlyList<VoucherView>>;

/// <summary>Programmes with granted, redeemed, lapsed and remaining budget: an issuer's own, or all.</summary>
public sealed record ListProgrammesRequest(string? Issuer = null) : IQuery<IReadOnlyList<ProgrammeView>>;

/// <summary>Reads the inline <see cref="VoucherDocument"/>s and <see cref="ProgrammeDocument"/>s through their indexes.</summary>
public sealed class ListVouchersHandler(IDocumentStore store) :
    IQueryHandler<ListVouchersRequest, IReadOnlyList<VoucherView>>,
    IQueryHandler<ListProgrammesRequest, IReadOnlyList<ProgrammeView>>
{
    public async ValueTask<IReadOnlyList<VoucherView>> Handle(ListVouchersRequest q, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var query = session.Query<VoucherDocument>().AsQueryable();
        if (q.Buyer is { } buyer)
        {
            query = query.Where(v => v.Buyer == buyer);
        }
        if (q.Issuer is { } issuer)
        {
            var ids = (await session.Query<ProgrammeDocument>().Where(p => p.Issuer == issuer).Select(p => p.ProgrammeId).ToListAsync(ct)).ToArray();
            query = query.Where(v => v.ProgrammeId.IsOneOf(ids));
        }
        var vouchers = await query.OrderBy(v => v.GrantOrder).ToListAsync(ct);
        var programmes = (await session.LoadManyAsync<ProgrammeDocument>(ct, vouchers.Select(v => VoucherProjections.StreamOf(v.ProgrammeId)).Distinct()))
            .ToDictionary(p => p.ProgrammeId, p => p.Terms, StringComparer.Ordinal);
        return vouchers.Select(v => ViewOf(programmes[v.ProgrammeId], v.Grant, v.BalanceFen, v.Lapsed)).ToList();
    }

    public async ValueTask<IReadOnlyList<ProgrammeView>> Handle(ListProgrammesRequest q, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var query = session.Query<ProgrammeDocument>().AsQueryable();
        if (q.Issuer is { } issuer)
        {
            query = query.Where(p => p.Issuer == issuer);
        }
        // Ordinal order of ids, as before: sorted here, since PostgreSQL's collation may order them otherwise.
        return (await query.ToListAsync(ct)).OrderBy(p => p.ProgrammeId, StringComparer.Ordinal).Select(ProgrammeView.Of).ToList();
    }

    public static VoucherView ViewOf(VoucherBook book, Voucher v) => ViewOf(book.Programme(v.Grant.ProgrammeId)!.Terms, v.Grant, v.BalanceFen, v.Lapsed);

    public static VoucherView ViewOf(ProgrammeCreated p, VoucherGranted g, long balanceFen, bool lapsed) =>
        new(g.GrantId, p.ProgrammeId, p.Issuer, p.Kind, g.Buyer, g.FaceFen, balanceFen, lapsed, g.At, p.ValidFrom, p.ValidTo, p.CoverageBp);
}
