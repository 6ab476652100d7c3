namespace ComputeNet.Portal.Shared;

/// <summary>Refunds and revenue-share payouts on the operator's cash page (issue 15, part B), both languages.</summary>
public sealed partial class Texts
{
    /// <summary>A cash type's name: the refund here, the others as the operator's strings name them.</summary>
    public string CashTypeName(string type) => type == "refund" ? L("退款（买方、发券机构）", "Refund (buyer, issuer)") : OpCashTypeName(type);
    public string CashHelp => L("退款：退还平台欠买方或发券机构的款项（如多付），不超过其贷方余额。区域收益分成付款：类型选“付款”，账户选“区域”，参与方填区域编号（结对协议的需求区域或供给枢纽）。",
        "Refund: pay back what the platform owes a buyer or issuer (an overpayment), up to its credit balance. A region's revenue share: type payout, account region, party the region id (a pairing's demand region or supply hub).");
    public string CashAccountHelp => L("账户（既是提供方又是运营商、既是买方又是发券机构时填写；区域分成选“区域”）",
        "Account (when the party is both provider and carrier, or buyer and issuer; region for a region's revenue share)");
    public string CashRegion => L("区域（收益分成）", "Region (revenue share)");
    public string CashAccountName(string account) => account == "region" ? CashRegion : RoleName(account);
}
