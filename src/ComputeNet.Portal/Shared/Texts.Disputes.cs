namespace ComputeNet.Portal.Shared;

/// <summary>The strings of disputes and credit notes (market-rules §14, docs/disputes.md), both languages.</summary>
public sealed partial class Texts
{
    // Navigation
    public string DspNavDisputes => L("争议与贷项", "Disputes and credits");
    public string DspNavOperator => L("争议", "Disputes");
    public string DspNavCreditNotes => L("贷项通知单", "Credit notes");

    // Buyer: dispute a line
    public string DspDisputeLine => L("提出争议", "Dispute");
    public string DspDisputeTitle => L("对账单明细提出争议", "Dispute an invoice line");
    public string DspDisputeHelp => L("自结算期关账起 30 天内，可对本账单的一条明细提出争议：写明争议金额与理由（最多 500 字）。平台运营方受理后开具贷项通知单。",
        "Within 30 days of the period's close you may dispute one line of this invoice: give the amount you claim and why (at most 500 characters). The operator decides; an accepted dispute issues a credit note.");
    public string DspLine => L("明细", "Line");
    public string DspClaimYuan => L("争议金额（元）", "Amount claimed (yuan)");
    public string DspReason => L("理由", "Reason");
    public string DspId => L("争议编号（重复提交同一编号不会重复受理）", "Dispute id (the same id again changes nothing)");
    public string DspSubmit => L("提交争议", "Submit the dispute");
    public string DspOpened(string id) => L($"争议 {id} 已提交，等待平台处理。", $"Dispute {id} is open; the operator will decide it.");
    public string DspRepeat => L("（重复提交，未作更改）", "(a repeat: nothing changed)");
    public string DspAmountBad => L("金额为元，最多两位小数", "An amount in yuan with at most two decimals");
    public string DspNoLines => L("本账单没有可争议的明细", "This invoice has no line that can be disputed");

    // Lists
    public string DspMyTitle => L("我的争议与贷项通知单", "My disputes and credit notes");
    public string DspDisputes => L("争议", "Disputes");
    public string DspNoDisputes => L("暂无争议", "No disputes");
    public string DspState => L("状态", "State");
    public string DspStateName(string state) => state switch
    {
        "open" => L("待处理", "open"),
        "accepted" => L("已受理", "accepted"),
        "rejected" => L("已驳回", "rejected"),
        _ => state,
    };
    public string DspClaim => L("争议金额", "Claimed");
    public string DspAccepted => L("受理金额", "Accepted");
    public string DspOpenedAt => L("提出时间", "Opened");
    public string DspBuyer => L("买方", "Buyer");
    public string DspCreditNotes => L("贷项通知单", "Credit notes");
    public string DspNoCreditNotes => L("暂无贷项通知单", "No credit notes");
    public string DspNote => L("通知单", "Credit note");
    public string DspCredit => L("冲减金额", "Credit");
    public string DspVoucher => L("券抵扣部分", "Voucher part");
    public string DspCreditedDue => L("冲减应付", "Credited to the buyer");
    public string DspGivesBack => L("退回金额", "You give back");
    public string DspOwesLess => L("少付金额", "You owe less");
    public string DspPdf => L("PDF 下载", "PDF");
    public string DspRefund => L("自动退款", "Refund started");
    public string DspAllStates => L("全部", "All");

    // Operator
    public string DspOpTitle => L("争议处理", "Disputes");
    public string DspOpHelp => L("受理时填写受理金额（1 分至争议金额），系统随即开具贷项通知单并记账；驳回则不产生凭证。每个争议只能处理一次。",
        "Accept with an amount (from 0.01 yuan to the claim): the credit note is issued and posted at once. A rejection issues nothing. Each dispute is decided once.");
    public string DspDecide => L("处理争议", "Decide a dispute");
    public string DspOutcome => L("处理结果", "Outcome");
    public string DspAccept => L("受理", "Accept");
    public string DspReject => L("驳回", "Reject");
    public string DspAcceptYuan => L("受理金额（元，仅受理时）", "Amount accepted (yuan, accept only)");
    public string DspDecided(string id, string state) => L($"争议 {id}：{state}", $"Dispute {id}: {state}");
    public string DspFilter => L("筛选", "Filter");

    // Earners and issuers
    public string DspEarnerTitle => L("涉及我的贷项通知单（退回部分）", "Credit notes that debit me (what I give back)");
    public string DspIssuerTitle => L("涉及我方券的贷项通知单（少付部分）", "Credit notes on my vouchers (what I owe less)");
}
