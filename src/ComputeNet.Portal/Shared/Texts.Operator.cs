namespace ComputeNet.Portal.Shared;

/// <summary>The operator's pages (Operator/): parties and keys, settings, metering standards, pairings, periods and closes, cash.</summary>
public sealed partial class Texts
{
    // Navigation
    public string OpParties => L("参与方与密钥", "Parties and keys");
    public string OpSettings => L("平台设置", "Settings");
    public string OpStandards => L("计量标准", "Metering standards");
    public string OpPairings => L("结对子", "Pairings");
    public string OpPeriods => L("结算期", "Periods");
    public string OpCash => L("资金", "Cash");

    // Common
    public string OpDone => L("已完成", "Done");
    public string OpRepeatNote => L("（重复提交，未作改变）", "(a repeat: nothing changed)");
    public string OpIdHelp => L("编号（重复提交同一编号不会重复执行）", "Id (a repeat with the same id changes nothing)");
    public string OpNone => L("暂无", "None yet");
    public string OpYes => L("是", "Yes");
    public string OpNo => L("否", "No");
    public string OpListHelp => L("多个值用逗号分隔", "Separate several values with commas");

    // Parties
    public string OpPartiesTitle => L("参与方与 API 密钥", "Parties and API keys");
    public string OpPartyId => L("参与方编号", "Party id");
    public string OpRoles => L("角色", "Roles");
    public string OpCity => L("城市", "City");
    public string OpSme => L("中小企业（平台运营方担保，可享算力券）", "SME (vouched for by the operator; unlocks vouchers)");
    public string OpSmeShort => L("中小企业", "SME");
    public string OpDisplayName => L("中文名称", "Name (Chinese)");
    public string OpDisplayNameEn => L("英文名称", "Name (English)");
    public string OpRouteCities => L("网络线路：城市（运营商）", "Route: cities (carriers)");
    public string OpRouteClusters => L("网络线路：集群（运营商）", "Route: clusters (carriers)");
    public string OpRegister => L("注册参与方", "Register a party");
    public string OpRegistered(string id) => L($"参与方 {id} 已注册。", $"Party {id} is registered.");
    public string OpAlreadyRegistered(string id) => L($"参与方 {id} 已存在，未作改变；如需新密钥请轮换。", $"Party {id} exists already; nothing changed. Rotate its key for a new one.");
    public string OpKeyOnce => L("新的 API 密钥（只显示这一次，平台不保存明文；请立即交给该参与方）：", "The new API key (shown this once; the platform keeps no copy: hand it to the party now):");
    public string OpKeyId => L("密钥编号", "Key id");
    public string OpNoParties => L("暂无参与方", "No parties yet");
    public string OpParty => L("参与方", "Party");
    public string OpPartyWhat => L("参与方", "party");
    public string OpRotate => L("轮换密钥（旧密钥立即失效）", "Rotate the key (the old key stops at once)");
    public string OpRotated => L("已签发新密钥，旧密钥及其会话已失效。", "A new key is issued; the old key and its sessions have ended.");
    public string OpRevoke => L("吊销密钥", "Revoke the key");
    public string OpRevokeConfirmText(string id) => L($"确认吊销 {id} 的所有密钥？该参与方将无法调用 API 或登录，直到重新签发密钥。",
        $"Revoke every key of {id}? The party can no longer call the API or sign in until a new key is issued.");
    public string OpRevokeConfirm => L("确认吊销", "Yes, revoke");
    public string OpRevokeCancel => L("不吊销", "Keep the key");
    public string OpRevoked => L("密钥已吊销，该参与方的会话已结束。", "The key is revoked; the party's sessions have ended.");
    public string OpOrdinal => L("序号", "No.");

    // Settings
    public string OpSettingsTitle => L("平台设置", "Platform settings");
    public string OpSettingsHelp => L("结算周期、时区与手续费。首次结算之后，结算周期和时区不能再改。", "Settlement period, time zone and fees. After the first close the period and time zone cannot change.");
    public string OpPeriodUnit => L("结算周期", "Settlement period");
    public string OpPeriodUnitName(string unit) => unit switch
    {
        "day" => L("按日", "Daily"),
        "month" => L("按月", "Monthly"),
        _ => unit,
    };
    public string OpTimeZone => L("时区（IANA）", "Time zone (IANA)");
    public string OpComputeFee => L("算力手续费（基点，1 基点 = 0.01%）", "Compute fee (basis points, 1 bp = 0.01%)");
    public string OpTransportFee => L("传输手续费（基点）", "Transport fee (basis points)");
    public string OpSave => L("保存", "Save");
    public string OpSettingsSaved => L("设置已保存。", "Settings saved.");
    public string OpCurrent => L("当前", "Current");

    // Metering standards
    public string OpStandardsTitle => L("统一计量标准", "Unified metering standards");
    public string OpVersion => L("版本", "Version");
    public string OpPublishedAt => L("发布时间", "Published");
    public string OpInForce => L("现行", "In force");
    public string OpPrecisionFactors => L("精度系数", "Precision factors");
    public string OpResourceClasses => L("资源规格", "Resource classes");
    public string OpPublish => L("发布新版本", "Publish a new version");
    public string OpPublishHelp => L("新挂单按新版本计量；已有租约沿用原版本。精度系数与资源规格以 JSON 填写（与 API 相同），已预填现行版本。",
        "New offers are rated with it; existing leases keep theirs. Precision factors and resource classes are JSON (as in the API), prefilled with the version in force.");
    public string OpPublished(string version) => L($"计量标准 {version} 已发布并生效。", $"Metering standard {version} is published and in force.");
    public string OpNotJson => L("不是有效的 JSON", "not valid JSON");

    // Pairings
    public string OpPairingsTitle => L("结对子协议", "Pairing agreements (结对子)");
    public string OpPairingsHelp => L("跨区域算力明细的平台手续费按权重在平台、需求地区和供给地区之间分配；与已有协议重叠的会被整体拒绝。",
        "The platform fee of cross-region compute lines is split by weight between the platform, the demand region and the supply region; an agreement overlapping another is refused whole.");
    public string OpPairingId => L("协议编号", "Agreement id");
    public string OpDemandRegion => L("需求地区", "Demand region");
    public string OpDemandCities => L("需求城市", "Demand cities");
    public string OpSupplyHub => L("供给枢纽", "Supply hub");
    public string OpWeights => L("权重（平台/需求/供给）", "Weights (platform/demand/supply)");
    public string OpPlatformWeight => L("平台权重", "Platform weight");
    public string OpDemandWeight => L("需求地区权重", "Demand weight");
    public string OpSupplyWeight => L("供给地区权重", "Supply weight");
    public string OpValidFrom => L("生效（留空为不限）", "Valid from (empty: open)");
    public string OpValidTo => L("失效（不含，留空为不限）", "Valid to (exclusive; empty: open)");
    public string OpValidity => L("有效期", "Validity");
    public string OpOpenEnded => L("不限", "open");
    public string OpAgree => L("签订协议", "Agree");
    public string OpAgreed(string id) => L($"协议 {id} 已签订。", $"Agreement {id} is recorded.");
    public string OpEndAt => L("结束于", "End at");
    public string OpEnd => L("结束协议", "End");
    public string OpEnded(string id) => L($"协议 {id} 已结束。", $"Agreement {id} is ended.");

    // Periods
    public string OpPeriodsTitle => L("结算期与结算", "Periods and closes");
    public string OpPeriodsHelp => L("结算已结束的期间：计价、开具账单和对账单、记账，并签署检查点。结算不可撤销；同一期间再次结算不作改变。",
        "Closing an ended period rates its usage, issues invoices and statements, posts the ledger and signs a checkpoint. A close is final; closing again changes nothing.");
    public string OpFrom => L("从", "From");
    public string OpTo => L("到", "To");
    public string OpPeriodState(string state) => state switch
    {
        "open" => L("进行中", "open"),
        "ended" => L("已结束，待结算", "ended, to close"),
        "closed" => L("已结算", "closed"),
        _ => state,
    };
    public string OpClosedAt => L("结算时间", "Closed at");
    public string OpInvoices => L("账单数", "Invoices");
    public string OpLines => L("明细行数", "Lines");
    public string OpTransactions => L("记账交易数", "Transactions");
    public string OpPlatformFee => L("平台手续费", "Platform fee");
    public string OpCheckpoint => L("检查点", "Checkpoint");
    public string OpMerkleRoot => L("默克尔根", "Merkle root");
    public string OpClose => L("结算", "Close");
    public string OpCloseAny => L("结算某一期间", "Close a period");
    public string OpPeriodKey => L("期间（YYYY-MM-DD 或 YYYY-MM）", "Period (YYYY-MM-DD or YYYY-MM)");
    public string OpClosing => L("正在结算，可能需要几分钟，请勿关闭页面……", "Closing: this can take minutes; keep the page open…");
    public string OpClosedResult(string period) => L($"期间 {period} 已结算。", $"Period {period} is closed.");
    public string OpAlreadyClosed(string period) => L($"期间 {period} 此前已结算，未作改变。", $"Period {period} was closed before; nothing changed.");
    public string OpNoCheckpoint => L("（尚未签署）", "(not signed yet)");

    // Cash
    public string OpCashTitle => L("资金往来", "Cash");
    public string OpCashHelp => L("记录线下资金：买方付款、向提供方或运营商付款、向发券机构报销。金额不超过未结余额。",
        "Record cash received or paid offline: a buyer's payment, a payout to a provider or carrier, an issuer's reimbursement. Never above the open balance.");
    public string OpCashType => L("类型", "Type");
    public string OpCashTypeName(string type) => type switch
    {
        "payment" => L("买方付款", "Payment (buyer)"),
        "payout" => L("付款给提供方/运营商", "Payout (provider, carrier)"),
        "reimburse" => L("报销发券机构", "Reimbursement (issuer)"),
        _ => type,
    };
    public string OpAmountYuan => L("金额（元，最多两位小数）", "Amount (yuan, at most 2 decimals)");
    public string OpCashAccount => L("账户（既是提供方又是运营商时填写）", "Account (when the party is both provider and carrier)");
    public string OpRecord => L("记录", "Record");
    public string OpCashRecorded(string id, string account, string amount) =>
        L($"已记录 {id}：{account} {amount}。", $"Recorded {id}: {account} {amount}.");
    public string OpPayouts => L("Stripe 付款", "Payouts through Stripe");
    public string OpNoPayouts => L("暂无 Stripe 付款", "No payouts through Stripe");
    public string OpPayoutId => L("付款编号", "Payout id");
    public string OpRequestedAt => L("发起时间", "Requested");
    public string OpAttempts => L("尝试次数", "Attempts");
    public string OpLastError => L("最近错误", "Last error");
    public string OpDestination => L("收款账户", "Destination");
    public string OpReconciliation => L("与 Stripe 对账", "Reconciliation with Stripe");
    public string OpStripeOff => L("未配置 Stripe：资金以线下方式记录，无需对账。", "Stripe is not configured: cash is recorded offline and there is nothing to reconcile.");
    public string OpMatches => L("一致", "Matches");
    public string OpDiffers => L("存在差异", "Differences");
    public string OpDifferences => L("差异", "Differences");
    public string OpPaymentWhat => L("线下资金", "cash");
    public string OpAmountBad => L("金额须为正数，最多两位小数，例如 1234.56", "the amount is a positive number of yuan with at most 2 decimals, e.g. 1234.56");
}
