namespace ComputeNet.Portal.Shared;

/// <summary>The regulator's pages (Regulator/): the map, periods and verification, checkpoints and proofs, the trial balance. Every entry in both languages.</summary>
public sealed partial class Texts
{
    // Navigation
    public string RegNavMap => L("枢纽地图", "Hub map");
    public string RegNavPeriods => L("结算期与核验", "Periods and verification");
    public string RegNavCheckpoints => L("检查点与证明", "Checkpoints and proofs");
    public string RegNavLedger => L("试算平衡", "Trial balance");

    /// <summary>The rules' codes of the audit requests, then the shared ones.</summary>
    public string RegCodeText(string code) => code switch
    {
        "not-checkpointed" => L("尚未签入检查点", "Not in a checkpoint yet"),
        _ => CodeText(code),
    };

    public string RegState(string state) => state switch
    {
        "open" => L("进行中", "open"),
        "ended" => L("已结束，待结算", "ended, close due"),
        "closed" => L("已结算", "closed"),
        _ => state,
    };

    // Map
    public string RegMapTitle => L("东数西算枢纽地图", "Hubs, clusters and the east→west flow");
    public string RegMapLabel(string period) => L($"{period} 结算期的枢纽与集群地图：圆的面积表示利用率，颜色表示绿电比例，箭头表示从买方城市到枢纽的算力流向",
        $"Map of the hubs and clusters in period {period}: a circle's area is its utilisation, its colour its green share; arrows are compute delivered from buyers' cities to hubs");
    public string RegMapCaption => L("阿尔伯斯等积圆锥投影（标准纬线 25°N、47°N，中央经线 105°E），仅示意参考坐标，未绘制行政边界。",
        "Albers equal-area conic projection (standard parallels 25°N and 47°N, central meridian 105°E) of the reference coordinates; no boundaries are drawn.");
    public string RegEastWest => L("东数西算（东部买方 → 西部资源枢纽）", "East→west (eastern buyers → western resource hubs)");
    public string RegOtherFlows => L("其他流向", "Other flows");
    public string RegGreenKey => L("颜色越绿，绿电比例越高；灰色为无计量", "Greener is a higher green share; grey, nothing metered");
    public string RegDelivered => L("本期交付", "Delivered in the period");
    public string RegEastWestShare => L("东数西算占比", "East→west share");
    public string RegEastWestGb => L("东数西算数据传输", "East→west data");
    public string RegClustersTitle => L("各集群", "Clusters");
    public string RegClustersCaption(string period) => L($"{period} 结算期各集群的供给、租用、交付与绿电", $"Supply, leases, delivery and green power per cluster in {period}");
    public string RegHub => L("枢纽", "Hub");
    public string RegOffered => L("挂牌设备·时", "Offered device-hours");
    public string RegLeased => L("租用设备·时", "Leased device-hours");
    public string RegUtilisation => L("利用率", "Utilisation");
    public string RegEnergy => L("耗电（kWh）", "Energy (kWh)");
    public string RegGreenKwh => L("绿电（kWh）", "Green (kWh)");
    public string RegGreenShare => L("绿电比例", "Green share");
    public string RegTransfer => L("数据传输（GB）", "Data (GB)");
    public string RegFlowsTitle => L("城市到枢纽的流向", "Flows from cities to hubs");
    public string RegNoFlows => L("本期没有交付", "Nothing delivered in this period");
    public string RegBuyerCity => L("买方注册城市", "Buyer's city");
    public string RegSide => L("东/西部", "East or west");
    public string RegSideName(string side) => side == "east" ? L("东部", "east") : side == "west" ? L("西部", "west") : side;
    public string RegHubKind => L("枢纽类型", "Hub kind");
    public string RegHubKindName(string kind) => kind == "resource" ? L("资源枢纽", "resource hub") : kind == "demand" ? L("需求枢纽", "demand hub") : kind;
    public string RegMapNote => L("利用率 = 租用设备·时 ÷ 挂牌设备·时；交付按计量区间开始所在结算期计；绿电比例为实测值。枢纽位置取其集群坐标的平均。",
        "Utilisation is leased ÷ offered device-hours; delivery counts in the period its interval starts in; the green share is measured. A hub sits at the mean of its clusters' coordinates.");

    // Periods and verification
    public string RegPeriodsTitle => L("结算期、检查点与核验", "Periods, checkpoints and verification");
    public string RegClosedAt => L("结算时间", "Closed at");
    public string RegInvoicesLines => L("账单 / 明细行", "Invoices / lines");
    public string RegPlatformFee => L("平台服务费", "Platform fee");
    public string RegMerkleRoot => L("默克尔根", "Merkle root");
    public string RegCheckpoint => L("签名检查点", "Signed checkpoint");
    public string RegDownload => L("下载", "Download");
    public string RegVerification => L("核验", "Verification");
    public string RegVerifyNow => L("立即核验", "Verify now");
    public string RegVerifyNowLabel(string period) => L($"立即核验 {period} 结算期", $"Verify period {period} now");
    public string RegVerifyingText => L("正在核验：从存储的交易重新计算默克尔根，并以平台公钥检查签名检查点…",
        "Verifying: recomputing the Merkle root from the stored transactions and checking the signed checkpoint with the platform's key…");
    public string RegNotClosedYet => L("结算后可核验", "After its close");
    public string RegOk => L("通过", "Passed");
    public string RegFailed => L("未通过", "Failed");
    public string RegVerifiedOk(string period) => L($"{period} 核验通过", $"{period} verified");
    public string RegVerifiedFailed(string period) => L($"{period} 核验未通过", $"{period} failed verification");
    public string RegCheckRecomputed(int transactions) => L($"由已存储的 {transactions} 笔交易重新计算默克尔根：", $"Merkle root recomputed from the {transactions} stored transactions:");
    public string RegCheckClose => L("与结算时承诺的根一致：", "Equals the root the close committed to:");
    public string RegCheckCheckpoint(int? sequence) => sequence is { } s
        ? L($"与签名检查点 #{s} 的根一致，签名以平台公钥验证：", $"Equals the root of signed checkpoint #{s}, its signature checked with the platform's key:")
        : L("签名检查点：", "Signed checkpoint:");
    public string RegFailures => L("未通过的检查", "What failed");
    public string RegVerifiedAt(string at) => L($"核验于 {at}。", $"Verified at {at}.");
    public string RegNothingStored => L("核验每次都从存储的历史重新计算，不保存结果。", "Each verification recomputes from stored history; no outcome is stored.");
    public string RegPeriodsNote => L("默认显示截至当前的 7 个结算期。", "Shows the 7 periods up to the current one unless a range is given.");
    public string RegVerifyAllTitle => L("核验全部历史", "Verify all history");
    public string RegVerifyAllHelp => L("重新计算每份账单和结算单的哈希、链接以及每个结算期的默克尔根。", "Recomputes every statement's hash and chain link and every period's Merkle root.");
    public string RegVerifyAll => L("核验全部历史", "Verify everything");
    public string RegHistoryOk => L("全部历史核验通过", "All history verified");
    public string RegHistoryFailed => L("历史核验未通过", "History failed verification");
    public string RegHistoryCounts(int periods, int statements, int transactions) =>
        L($"{periods} 个结算期、{statements} 份结算单据、{transactions} 笔交易。", $"{periods} periods, {statements} statements, {transactions} transactions.");

    // Checkpoints and proofs
    public string RegCheckpointsTitle => L("签名检查点与包含证明", "Signed checkpoints and inclusion proofs");
    public string RegCheckpointsIntro => L("每次结算签发一个检查点（ECDSA P-256）。请在平台之外保存检查点和公钥，之后可用它们核验全部历史（POST /v1/verify/checkpoints）。",
        "Every close signs a checkpoint (ECDSA P-256). Keep the checkpoints and the public key outside the platform, and verify all history against them later (POST /v1/verify/checkpoints).");
    public string RegDownloadAll => L("下载全部检查点（JSON）", "Download every checkpoint (JSON)");
    public string RegDownloadKey => L("下载平台公钥（PEM）", "Download the platform's public key (PEM)");
    public string RegNoCheckpoints => L("尚无检查点", "No checkpoints yet");
    public string RegTreeSize => L("叶子数", "Leaves");
    public string RegStatements => L("单据数", "Statements");
    public string RegLedgerLog => L("资金日志长度", "Ledger log size");
    public string RegKeyId => L("密钥编号", "Key id");
    public string RegProofTitle => L("交易包含证明", "A transaction's inclusion proof");
    public string RegProofHelp => L("输入账本交易编号，获取其 RFC 6962 包含证明及签名检查点，可离线核验。",
        "Enter a ledger transaction id for its RFC 6962 inclusion proof with the signed checkpoint, checkable offline.");
    public string RegTxId => L("交易编号", "Transaction id");
    public string RegTxIdHint => L("例如 2026-12-01/lease-000001/compute", "For example 2026-12-01/lease-000001/compute");
    public string RegFindProof => L("获取证明", "Get the proof");
    public string RegLog => L("所在日志", "Log");
    public string RegLogName(string log) => log == "period" ? L("结算期树", "the period's tree") : log == "ledger" ? L("资金与冲正日志", "the cash and reversal log") : log;
    public string RegLeaf => L("叶子位置", "Leaf");
    public string RegLeafOf(long index, long size) => L($"第 {index} 个（共 {size} 个，从 0 起）", $"{index} of {size} (from 0)");
    public string RegLeafHash => L("叶子哈希", "Leaf hash");
    public string RegAuditPath => L("审计路径", "Audit path");
    public string RegHashes(int count) => L($"{count} 个哈希", $"{count} hashes");
    public string RegRoot => L("树根", "Root");
    public string RegDownloadProof => L("下载证明（JSON）", "Download the proof (JSON)");
    public string RegProofNote => L("离线核验方法见 docs/audit.md。", "How to check it offline: docs/audit.md.");

    // Trial balance
    public string RegLedgerTitle => L("试算平衡", "Trial balance");
    public string RegLedgerIntro => L("账本中每个账户的余额（借方为正，贷方为负），全部账户合计应为 0。", "Every ledger account's balance (debit +, credit −); all accounts together must net to 0.");
    public string RegAsOf => L("截至时间（留空为当前）", "As of (empty: now)");
    public string RegNow => L("当前", "Now");
    public string RegDebits => L("借方合计", "Total debits");
    public string RegCredits => L("贷方合计", "Total credits");
    public string RegTrialBalance => L("试算差额", "Trial balance");
    public string RegNetsToZero => L("（平衡）", "(balanced)");
    public string RegDoesNotNet => L("（不平衡！）", "(does not balance!)");
    public string RegTransactions => L("交易笔数", "Transactions");
    public string RegNoAccounts => L("账本中尚无账户", "No accounts in the ledger yet");
    public string RegAccountsCaption => L("各账户余额", "Balances per account");
    public string RegAccount => L("账户", "Account");
    public string RegAccountKind => L("类型", "Kind");
    public string RegAccountKindName(string kind) => kind switch
    {
        "buyer" => L("买方应收", "buyer receivable"),
        "provider" => L("提供方应付", "provider payable"),
        "carrier" => L("运营商应付", "carrier payable"),
        "issuer" => L("发券机构应收", "issuer receivable"),
        "region" => L("结对地区分成", "pairing region share"),
        "platform" => L("平台收入", "platform revenue"),
        "cash" => L("资金清算", "cash clearing"),
        _ => kind,
    };
    public string RegDebit => L("借方", "Debit");
    public string RegCredit => L("贷方", "Credit");
    public string RegTotals => L("合计", "Totals");
    public string RegLedgerNote => L("金额精确到分；交易笔数含资金往来与冲正。", "Amounts are exact to the fen; transactions include cash actions and reversals.");
}
