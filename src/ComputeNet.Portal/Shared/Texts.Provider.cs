namespace ComputeNet.Portal.Shared;

/// <summary>The provider's pages' strings (and those the carrier's pages share with them: statements, balance), both languages.</summary>
public sealed partial class Texts
{
    // Navigation
    public string PvOffers => L("我的报价", "My offers");
    public string PvUtilisationNav => L("利用率", "Utilisation");
    public string PvUsageNav => L("用量上报", "Usage upload");
    public string PvStatements => L("结算单", "Statements");
    public string PvPayouts => L("付款记录", "Payouts");
    public string PvBalance => L("余额与流水", "Balance and ledger");

    // Offers
    public string PvOffersTitle => L("我的报价（卖单）", "My offers");
    public string PvOffer => L("报价", "Offer");
    public string PvOfferId => L("报价编号", "Offer id");
    public string PvOfferWhat => L("报价", "offer");
    public string PvNoOffers => L("暂无报价", "No offers yet");
    public string PvNewOffer => L("发布报价", "New offer");
    public string PvOfferIdHelp => L("报价编号（重复提交同一编号不会重复挂单）", "Offer id (a repeat with the same id changes nothing)");
    public string PvAskPrice => L("最低价格（元/SCU·时）", "Ask price (yuan/SCU-hour)");
    public string PvOfferResult(string id, string state, int filled, int devices) =>
        L($"报价 {id} 已接受：{StateName(state)}，成交 {filled}/{devices} 台。", $"Offer {id} accepted: {StateName(state)}, {filled} of {devices} devices filled.");

    // Utilisation
    public string PvUtilisationTitle => L("算力利用率", "Utilisation");
    public string PvBy => L("时间粒度", "Steps");
    public string PvByPeriod => L("按结算期", "Per settlement period");
    public string PvByHour => L("按小时", "Per hour");
    public string PvRangeFrom => L("起（结算期或时间）", "From (period or time)");
    public string PvRangeTo => L("止（结算期含当期；小时不含）", "To (period included; hour excluded)");
    public string PvRangeHelp => L("按结算期时填结算期（如 2026-12-01），默认为截至本期的 7 期，最多 366 期；按小时时填时间（如 2026-12-01T08:00），默认为最近 24 小时，最多 744 小时。",
        "Per period: period keys (e.g. 2026-12-01), by default the 7 periods up to the current one, at most 366. Per hour: times (e.g. 2026-12-01T08:00), by default the last 24 hours, at most 744.");
    public string PvPerCluster => L("按集群", "Per cluster");
    public string PvPerOffer => L("按报价", "Per offer");
    public string PvAllOffers => L("全部报价的数据", "Every offer's figures");
    public string PvFigures => L("图中数据", "The chart's figures");
    public string PvStep => L("时段", "Step");
    public string PvOffered => L("挂出设备·时", "Offered device-hours");
    public string PvLeased => L("出租设备·时", "Leased device-hours");
    public string PvUtilisation => L("利用率（出租/挂出）", "Utilisation (leased/offered)");
    public string PvDelivered => L("实际交付设备·时", "Delivered device-hours");
    public string PvNothingInRange => L("此范围内没有数据", "Nothing in this range");
    public string PvChartLabel(string what) => L($"{what} 的挂出、出租与交付设备·时柱状图", $"Bar chart of {what}: device-hours offered, leased and delivered");

    // Usage upload
    public string PvUsageTitle => L("上报用量", "Upload usage");
    public string PvUsageFile => L("用量文件（CSV 或 CloudEvents JSON）", "Usage file (CSV or CloudEvents JSON)");
    public string PvUpload => L("上传", "Upload");
    public string PvUsageHelp(long maxMiB, int maxRecords) =>
        L($"文件最大 {maxMiB} MiB，最多 {maxRecords:N0} 条记录（与 API 的批量上报相同）。合格记录一并保存，不合格记录逐条说明原因；完全相同的重复记录不作改变。",
            $"At most {maxMiB} MiB and {maxRecords:N0} records per file (the API's batch limits). Valid records are stored together, each refused one is listed with its reason; an exact repeat changes nothing.");
    public string PvCsvHelp => L("CSV：第一行为列名（与 JSON 字段同名，顺序不限），时间为带时区的 ISO 8601，数字用小数点；energyKwh、greenKwh、transferGb 可留空（为 0）。例如：",
        "CSV: the first line names the columns (the JSON fields' names, in any order); times are ISO 8601 with an offset, numbers use a dot; energyKwh, greenKwh and transferGb may be empty (0). For example:");
    public string PvCloudEventsHelp => L("CloudEvents：单个事件或事件数组（JSON，structured 模式，type 为 computenet.usage.v1，source 为贵单位编号，id 为记录编号，data 为用量记录）。",
        "CloudEvents: one event or an array of events (JSON, structured mode, type computenet.usage.v1, source your party id, id the record id, data the usage record).");
    public string PvNoFile => L("请选择一个非空文件。", "Choose a file that is not empty.");
    public string PvFileTooLarge(long bytes, long max) =>
        L($"文件过大：{bytes:N0} 字节，最多 {max:N0} 字节（API 的用量上限）。请拆分后分批上传。", $"The file is too large: {bytes:N0} bytes, at most {max:N0} (the API's usage limit). Split it and upload the parts.");
    public string PvNotJson(string why) => L($"文件不是有效的 JSON：{why}", $"The file is not valid JSON: {why}");
    public string PvRecordCount(int count, int max) =>
        L($"文件包含 {count:N0} 条记录；每次上传须为 1 至 {max:N0} 条。", $"The file holds {count:N0} records; an upload holds 1 to {max:N0}.");
    public string PvUsageResult(string file) => L($"上传结果：{file}", $"Result of {file}");
    public string PvUsageSummary(int stored, int repeats, int rejected) =>
        L($"已保存 {stored} 条，重复 {repeats} 条，拒绝 {rejected} 条。", $"{stored} stored, {repeats} repeats, {rejected} refused.");
    public string PvFileLine => L("文件行号", "File line");
    public string PvRecordId => L("记录编号", "Record id");
    public string PvCode => L("代码", "Code");
    public string PvField => L("字段", "Field");
    public string PvReason => L("原因", "Reason");
    public string PvRecordStatus(string status) => status switch
    {
        "stored" => L("已接受（已保存）", "accepted (stored)"),
        "repeat" => L("已接受（重复，未改变）", "accepted (repeat, nothing changed)"),
        "rejected" => L("已拒绝", "refused"),
        _ => status,
    };

    // Statements (provider and carrier)
    public string PvStatementsTitle => L("结算单（提供方）", "Statements (provider)");
    public string PvNoStatements => L("暂无结算单", "No statements yet");
    public string PvGross => L("应收总额", "Gross");
    public string PvFee => L("平台服务费", "Platform fee");
    public string PvNet => L("净额", "Net");

    // Payouts
    public string PvPayoutsTitle => L("付款记录（Stripe 转账）", "Payouts (Stripe transfers)");
    public string PvNoPayouts => L("暂无经 Stripe 的付款", "No payouts through Stripe");
    public string PvPayoutId => L("付款编号", "Payout id");
    public string PvRequestedAt => L("发起时间", "Requested");
    public string PvAttempts => L("尝试次数", "Attempts");
    public string PvTransfer => L("转账编号", "Transfer id");
    public string PvLastError => L("最近错误", "Last error");
    public string PvPayoutStatus(string status) => status switch
    {
        "requested" => L("处理中", "requested"),
        "failed" => L("失败（待重试）", "failed (to be retried)"),
        "paid" => L("已付款", "paid"),
        "not-posted" => L("已转账未入账", "transferred, not posted"),
        _ => status,
    };
    public string PvBankPayoutsNote => L("银行转账付款由平台运营方记账，显示在余额与流水中：", "Payouts by bank transfer are recorded by the operator and shown with your ledger lines:");

    // Balance and ledger (provider and carrier)
    public string PvBalanceTitle => L("余额与流水", "Balance and ledger lines");
    public string PvAccounts => L("账户余额", "Account balances");
    public string PvAccount => L("账户", "Account");
    public string PvBalanceFen => L("余额", "Balance");
    public string PvMeaning => L("含义", "Meaning");
    public string PvBalanceMeaning(long fen) => fen switch
    {
        < 0 => L("平台应付给您", "owed to you by the platform"),
        > 0 => L("您应付给平台", "owed by you to the platform"),
        _ => L("已结清", "settled"),
    };
    public string PvSignsNote => L("复式记账：借方为正。负数为平台应付给您的金额。", "Double entry, debit positive: a negative balance is what the platform owes you.");
    public string PvNoAccounts => L("暂无记账", "Nothing posted yet");
    public string PvLedgerLines => L("流水", "Ledger lines");
    public string PvNoLines => L("暂无流水", "No ledger lines yet");
    public string PvAt => L("时间", "Time");
    public string PvMemo => L("摘要", "Memo");
    public string PvTx => L("交易编号", "Transaction");
    public string PvTxKind(string kind) => kind switch
    {
        "charge" => L("结算", "Settlement"),
        "payment" => L("收款", "Payment"),
        "payout" => L("付款", "Payout"),
        "reimburse" => L("补贴拨付", "Reimbursement"),
        "refund" => L("退款", "Refund"),
        "reversal" => L("冲正", "Reversal"),
        "credit-note" => L("红字发票（贷项通知）", "Credit note"),
        _ => kind,
    };
}
