namespace ComputeNet.Portal.Shared;

/// <summary>The money pages left from issues 14 and 15: refunds, payouts with their retry, payout accounts and reversals, both languages.</summary>
public sealed partial class Texts
{
    // Refunds (operator; the buyer's on its balance page)
    public string MnNavRefunds => L("退款", "Refunds");
    public string MnRefundsTitle => L("退款（经 Stripe）", "Refunds through Stripe");
    public string MnRefundsHelp => L("经 Stripe 退回买方或发券机构支付意向的退款，及其各部分和银行转账余额。从未经 Stripe 付款者的退款全部以银行转账支付，只记在账上（交易 cash/退款编号）。",
        "Refunds paid back onto a buyer's or issuer's payment intents through Stripe, with their parts and any bank remainder. A refund to a party that never paid through Stripe is a bank transfer only and is in the ledger alone (transaction cash/{refund id}).");
    public string MnNoRefunds => L("暂无经 Stripe 的退款", "No refunds through Stripe");
    public string MnRefundId => L("退款编号", "Refund id");
    public string MnRefundWhat => L("退款", "refund");
    public string MnAllStatuses => L("全部状态", "All statuses");
    public string MnStripeParts => L("Stripe 部分", "Stripe parts");
    public string MnBankRemainder => L("银行转账部分", "By bank transfer");
    public string MnCashTx => L("记账交易", "Cash transaction");
    public string MnPart => L("部分", "Part");
    public string MnIntent => L("支付意向", "Payment intent");
    public string MnIdempotencyKey => L("幂等键", "Idempotency key");
    public string MnStripeRefundId => L("Stripe 退款编号", "Stripe refund id");
    public string MnFailure => L("失败原因", "Failure");
    public string MnReversalTx => L("冲回交易", "Given back by");
    public string MnYourRefunds => L("退款", "Refunds");
    public string MnRefundsLink => L("退款及其 Stripe 部分", "Refunds and their Stripe parts");
    public string MnRefundStatus(string status) => status switch
    {
        "requested" => L("处理中", "requested"),
        "pending" => L("等待 Stripe 确认", "pending at Stripe"),
        "refunded" => L("已退款", "refunded"),
        "succeeded" => L("已成功", "succeeded"),
        "failed" => L("失败（已冲回）", "failed (given back)"),
        "bank" => L("银行转账", "by bank transfer"),
        _ => status,
    };

    // Payouts (operator) and payout accounts
    public string MnNavPayouts => L("付款", "Payouts");
    public string MnPayoutsHelp => L("经 Stripe Connect 转账的付款。失败的付款可以用同一幂等键重试；重试前会再次核对应付余额。",
        "Payouts by Stripe Connect transfer. A failed payout can be tried again under its own idempotency key; the balance is checked again first.");
    public string MnRetry => L("重试", "Retry");
    public string MnRetried(string id, string status) => L($"付款 {id} 已重试：{status}", $"Payout {id} tried again: {status}");
    public string MnPayee => L("收款方（提供方、运营商或区域编号）", "Payee (provider, carrier or region id)");
    public string MnPayAmount => L("金额（元；留空则支付全部应付余额）", "Amount in yuan (empty: all it is owed)");
    public string MnPay => L("经 Stripe 付款", "Pay through Stripe");
    public string MnPaid(string id, string party, string amount, string status) =>
        L($"付款 {id}：向 {party} 支付 {amount}，{status}", $"Payout {id}: {amount} to {party}, {status}");
    public string MnPayoutsLink => L("全部付款及重试", "All payouts, with their retry");
    public string MnPayoutAccount => L("收款账户（Stripe 关联账户）", "Payout account (Stripe connected account)");
    public string MnConnectedAccount => L("关联账户编号（acct_…）", "Connected account id (acct_…)");
    public string MnCurrentAccount => L("当前收款账户", "Current payout account");
    public string MnNoAccount => L("未设置：经 Stripe 的付款会被拒绝", "Not set: payouts through Stripe are refused");
    public string MnSaveAccount => L("保存收款账户", "Save the payout account");
    public string MnAccountSet(string payee, string account) => L($"{payee} 的收款账户已设为 {account}", $"{payee} is paid to {account}");
    public string MnRegionAccountTitle => L("区域的收款账户（收益分成）", "A region's payout account (revenue share)");
    public string MnRegionId => L("区域编号（结对协议的需求区域或供给枢纽）", "Region id (a pairing's demand region or supply hub)");
    public string MnRegionAccountShown(string region, string? account) =>
        account is null ? L($"区域 {region} 尚未设置收款账户", $"Region {region} has no payout account") : L($"区域 {region} 的收款账户：{account}", $"Region {region} is paid to {account}");

    // Reversals (operator)
    public string MnReverseTitle => L("冲正交易", "Reverse a transaction");
    public string MnReverseHelp => L("更正一笔错误的记账交易：记一笔方向相反的冲正交易（历史从不修改）。每笔交易只能冲正一次，编号相同的重复提交不做改变。",
        "Correct a mistaken ledger transaction by posting its reversal (history is never edited). A transaction is reversed once; a repeat with the same id changes nothing.");
    public string MnTxId => L("要冲正的交易编号", "Transaction to reverse");
    public string MnReason => L("原因（记入摘要）", "Reason (goes into the memo)");
    public string MnReverse => L("冲正", "Reverse");
    public string MnReverseLink => L("冲正…", "Reverse…");
    public string MnReversed(string txId, string reversal) => L($"已冲正 {txId}：冲正交易 {reversal}", $"{txId} reversed by {reversal}");
    public string MnPartyLedger => L("该参与方的记账流水", "This party's ledger lines");
}
