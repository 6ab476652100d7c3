namespace ComputeNet.Portal.Shared;

/// <summary>The buyer's money pages (Buyer/): balance and ledger lines, the usage behind an invoice line, paying an invoice online.</summary>
public sealed partial class Texts
{
    public string BuyerBalance => L("余额与流水", "Balance and ledger");
    public string BalanceTitle => L("账户余额与记账流水", "Balance and ledger lines");
    public string BalanceHelp => L("借方为正：正数是贵单位应付的金额，负数是平台应付给贵单位的金额。", "Debit positive: a positive balance is what you owe, a negative one what you are owed.");
    public string BalanceAccount => L("账户", "Account");
    public string BalanceAmount => L("余额", "Balance");
    public string BalanceNoAccounts => L("暂无记账", "Nothing posted yet");
    public string LedgerLines => L("记账流水", "Ledger lines");
    public string LedgerTx => L("交易编号", "Transaction");
    public string LedgerMemo => L("摘要", "Memo");
    public string LedgerAt => L("记账时间", "Posted");
    public string LedgerAmount => L("金额（借方为正）", "Amount (debit +)");
    public string LedgerKind(string kind) => kind switch
    {
        "charge" => L("结算计费", "Charge"),
        "payment" => L("付款", "Payment"),
        "payout" => L("付款给提供方/运营商", "Payout"),
        "reimburse" => L("报销", "Reimbursement"),
        "refund" => L("退款", "Refund"),
        "reversal" => L("冲正", "Reversal"),
        "credit-note" => L("红字发票（贷项通知）", "Credit note"),
        _ => kind,
    };
    public string LedgerNoLines => L("暂无流水", "No ledger lines yet");
    public string AllAccounts => L("全部账户", "All accounts");

    public string UsageLink => L("用量", "Usage");
    public string UsageTitle => L("账单明细背后的用量记录", "Usage records behind the invoice");
    public string UsageOfLine(int line) => L($"第 {line} 行的用量记录", $"Usage records of line {line}");
    public string UsageAllLines => L("全部明细行", "Every line");
    public string UsageRecord => L("记录编号", "Record");
    public string UsageInterval => L("时段", "Interval");
    public string UsageDeviceHours => L("设备·时", "Device-hours");
    public string UsageScuHours => L("SCU·时", "SCU-hours");
    public string UsageEnergy => L("能耗（kWh）", "Energy (kWh)");
    public string UsageGreen => L("绿电（kWh）", "Green (kWh)");
    public string UsageTransfer => L("传输（GB）", "Transfer (GB)");
    public string UsageStandard => L("计量标准", "Metering standard");
    public string UsageReceived => L("上报时间", "Reported");
    public string UsageNone => L("该明细没有用量记录（例如预留租约按时段计费）。", "No usage records behind this (a reserved lease, say, is billed for its window).");

    public string PayOnline => L("在线支付（银行卡、支付宝、微信支付）", "Pay online (card, Alipay, WeChat Pay)");
    public string PayOnlineStart => L("开始在线支付", "Start paying online");
    public string PayNow => L("支付", "Pay");
    public string PayIntent => L("支付单", "Payment intent");
    public string PayStatus(string status) => status switch
    {
        "succeeded" => L("已支付", "paid"),
        "processing" => L("处理中", "processing"),
        "requires_payment_method" => L("待支付", "awaiting payment"),
        "requires_action" => L("待验证", "awaiting authentication"),
        "canceled" => L("已取消", "cancelled"),
        _ => status,
    };
    public string PayLoading => L("正在加载 Stripe 支付表单……", "Loading Stripe's payment form…");
    public string PayDone => L("支付已提交，到账后账单状态会更新。", "Payment submitted; the invoice is marked paid once Stripe confirms it.");
    public string PayNoPublishableKey => L("平台未配置 Stripe 可公开密钥（ComputeNet:Stripe:PublishableKey），暂不能在此支付，请联系平台运营方。",
        "The platform has no Stripe publishable key (ComputeNet:Stripe:PublishableKey): paying here is not possible; ask the operator.");
    public string PayNoScript => L("无法加载 Stripe 支付组件（js.stripe.com），请稍后重试或联系平台运营方。", "Stripe's payment form (js.stripe.com) could not be loaded: try again later, or ask the operator.");
}
