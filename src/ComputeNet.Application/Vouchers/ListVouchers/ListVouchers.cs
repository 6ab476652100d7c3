using ComputeNet.Application.Vouchers.CreateProgramme;
using ComputeNet.Application.Vouchers.GrantVoucher;
using ComputeNet.Domain.Vouchers;
using Mediator;

namespace ComputeNet.Application.Vouchers.ListVouchers;

/// <summary>Vouchers with their balances: a buyer's own, an issuer's programmes', or all (regulators, operators).</summary>
public sealed record ListVouchersRequest(string? Buyer = null, string? Issuer = null) : IQuery<IReadOnlyList<VoucherView>>;

/// <summary>Programmes with granted, redeemed, lapsed and remaining budget: an issuer's own, or all.</summary>
public sealed record ListProgrammesRequest(string? Issuer = null) : IQuery<IReadOnlyList<ProgrammeView>>;

public sealed class ListVouchersHandler(VoucherService vouchers) :
    IQueryHandler<ListVouchersRequest, IReadOnlyList<VoucherView>>,
    IQueryHandler<ListProgrammesRequest, IReadOnlyList<ProgrammeView>>
{
    public async ValueTask<IReadOnlyList<VoucherView>> Handle(ListVouchersRequest q, CancellationToken ct) =>
        await vouchers.ReadAsync<IReadOnlyList<VoucherView>>(book => book.Vouchers
            .Where(v => q.Buyer is null || v.Grant.Buyer == q.Buyer)
            .Where(v => q.Issuer is null || book.Programme(v.Grant.ProgrammeId)!.Terms.Issuer == q.Issuer)
            .OrderBy(v => v.GrantOrder)
            .Select(v => ViewOf(book, v)).ToList(), ct);

    public async ValueTask<IReadOnlyList<ProgrammeView>> Handle(ListProgrammesRequest q, CancellationToken ct) =>
        await vouchers.ReadAsync<IReadOnlyList<ProgrammeView>>(book => book.Programmes
            .Where(p => q.Issuer is null || p.Terms.Issuer == q.Issuer)
            .OrderBy(p => p.Terms.ProgrammeId, StringComparer.Ordinal)
            .Select(p => ProgrammeView.Of(p, book)).ToList(), ct);

    public static VoucherView ViewOf(VoucherBook book, Voucher v)
    {
        var p = book.Programme(v.Grant.ProgrammeId)!.Terms;
        return new VoucherView(v.Grant.GrantId, p.ProgrammeId, p.Issuer, p.Kind, v.Grant.Buyer, v.Grant.FaceFen, v.BalanceFen, v.Lapsed, v.Grant.At,
            p.ValidFrom, p.ValidTo, p.CoverageBp);
    }
}
