namespace ComputeNet.Portal.Shared;

/// <summary>The voucher issuer's pages (Issuer/): programmes, the budget chart, grants, claims. Every entry in both languages.</summary>
public sealed partial class Texts
{
    // Navigation
    public string IssNavProgrammes => L("券项目", "Programmes");
    public string IssNavGrants => L("发券", "Grants");
    public string IssNavClaims => L("兑付申请", "Claims");

    /// <summary>The rules' codes of the issuer's requests, then the shared ones.</summary>
    public string IssCodeText(string code) => code switch
    {
        "not-sme" => L("非中小企业", "Not an SME"),
        "not-eligible" => L("不符合项目条件", "Not eligible"),
        "over-cap" => L("超出单户上限", "Above the cap"),
        "over-budget" => L("超出项目预算", "Above the budget"),
        _ => CodeText(code),
    };

    // Programmes
    public string IssProgrammesTitle => L("算力券/运力券项目", "Voucher programmes");
    public string IssProgrammesChart => L("各项目预算：已发放、已兑付、已失效（元）", "Budget per programme: granted, redeemed, lapsed (yuan)");
    public string IssProgrammesTable => L("各项目预算执行情况", "Budget of each programme");
    public string IssNoProgrammes => L("暂无项目", "No programmes yet");
    public string IssNoBudgetMoves => L("尚无发放、兑付或失效", "Nothing granted, redeemed or lapsed yet");
    public string IssCap => L("单户上限", "Cap per enterprise");
    public string IssBudget => L("预算", "Budget");
    public string IssGranted => L("已发放", "Granted");
    public string IssRedeemed => L("已兑付", "Redeemed");
    public string IssLapsed => L("已失效退回", "Lapsed");
    public string IssRemaining => L("剩余预算", "Budget left");
    public string IssEnterprises => L("企业数 / 券数", "Enterprises / vouchers");
    public string IssEnterprisesNote => L("已失效的券面额退回预算。", "What lapses goes back to the budget.");
    public string IssValidity => L("有效期", "Validity");
    public string IssClosedEarly => L("已提前关闭", "Closed early");
    public string IssEnded => L("已到期", "Ended");
    public string IssSeries(string series) => series switch
    {
        "granted" => L("已发放", "Granted"),
        "redeemed" => L("已兑付", "Redeemed"),
        "lapsed" => L("已失效", "Lapsed"),
        _ => series,
    };

    // Create a programme
    public string IssCreateProgramme => L("新建项目", "Open a programme");
    public string IssProgrammeId => L("项目编号（重复提交同一条款不会重复创建）", "Programme id (the same terms again change nothing)");
    public string IssCoverageBp => L("抵扣比例（基点，3000 = 30%）", "Coverage (basis points, 3000 = 30%)");
    public string IssCapYuan => L("单户累计上限（元）", "Cap per enterprise (yuan)");
    public string IssBudgetYuan => L("总预算（元）", "Budget (yuan)");
    public string IssValidFrom => L("有效期开始", "Valid from");
    public string IssValidTo => L("有效期结束（不含）", "Valid to (exclusive)");
    public string IssBuyerCities => L("限定买方城市（留空为不限）", "Buyer cities (empty: any)");
    public string IssFamilies => L("限定算力类别（留空为不限）", "Compute families (empty: any)");
    public string IssSupplyHubs => L("限定供给枢纽（留空为不限）", "Supply hubs (empty: any)");
    public string IssListHint(string known) => L($"以逗号分隔。可选：{known}", $"Separated by commas. Known: {known}");
    public string IssCreate => L("创建项目", "Open the programme");
    public string IssProgrammeCreated(string id, bool repeat) => repeat
        ? L($"项目 {id} 已存在且条款相同，未作改变。", $"Programme {id} already exists with these terms: nothing changed.")
        : L($"项目 {id} 已创建。", $"Programme {id} is open.");

    // One programme
    public string IssProgrammeWhat => L("项目", "programme");
    public string IssFromPeriod => L("起始结算期", "From period");
    public string IssToPeriod => L("截止结算期（含）", "To period (included)");
    public string IssPerPeriod => L("按结算期", "Per period");
    public string IssPeriodsChart(string id) => L($"项目 {id} 各结算期预算：已发放、已兑付、已失效（元）", $"Budget of {id} per period: granted, redeemed, lapsed (yuan)");
    public string IssPeriodsTable => L("各结算期的发放、兑付与失效", "Granted, redeemed and lapsed per period");
    public string IssGrants => L("发放笔数", "Grants");
    public string IssRedemptions => L("兑付笔数", "Redemptions");
    public string IssLapses => L("失效笔数", "Lapses");
    public string IssClosed => L("已结算", "Closed");
    public string IssYes => L("是", "Yes");
    public string IssNo => L("否", "No");
    public string IssPeriodsNote => L("发放按发券时间计入结算期；兑付与失效在该期结算时发生。",
        "Grants count in the period of their time; redemptions and lapses happen at the period's close.");
    public string IssCloseEarly => L("提前关闭项目", "Close the programme early");
    public string IssCloseHelp => L("关闭后不能再发券；已发放的券仍可按原有效期使用。", "After closing, no new grants; vouchers already granted stay valid until their end.");
    public string IssCloseButton => L("提前关闭", "Close early");
    public string IssClosedResult(string id) => L($"项目 {id} 已提前关闭。", $"Programme {id} is closed early.");

    // Grants
    public string IssGrantsTitle => L("发券", "Grants");
    public string IssGrantVoucher => L("向中小企业发券", "Grant an SME a voucher");
    public string IssGrantId => L("发券编号（重复提交同一内容不会重复发放）", "Grant id (the same grant again changes nothing)");
    public string IssBuyer => L("企业（参与方编号）", "Enterprise (party id)");
    public string IssFaceYuan => L("面额（元）", "Face value (yuan)");
    public string IssGrantButton => L("发放", "Grant");
    public string IssGrantNote => L("预算在发放时即占用；超出单户上限或剩余预算的发放整笔拒绝，不会拆减。",
        "The budget is committed at once; a grant above the cap or the budget left is refused whole, never cut down.");
    public string IssGrantResult(string id, string buyer, string face, bool repeat) => repeat
        ? L($"发券 {id} 已存在，未作改变。", $"Grant {id} already exists: nothing changed.")
        : L($"已向 {buyer} 发放 {face}（编号 {id}）。", $"{face} granted to {buyer} (grant {id}).");
    public string IssVouchersTitle => L("已发放的券", "Vouchers granted");
    public string IssGrantedAt => L("发放时间", "Granted at");

    // Claims
    public string IssClaimsTitle => L("兑付申请与凭证", "Claims and their evidence");
    public string IssClaimsIntro => L("每个已结算期一份：兑付的每一笔都附有账单明细、租约条款和计量记录。CSV 每条计量记录一行。",
        "One per closed period: each redemption with its invoice line, lease terms and metered usage. The CSV has one row per usage record.");
    public string IssNoClaims => L("暂无兑付申请", "No claims yet");
    public string IssDownloadCsv => L("下载凭证 CSV", "Download the evidence (CSV)");
    public string IssEvidence => L("兑付明细", "Redemptions");
    public string IssInvoiceLine => L("账单行", "Invoice line");
    public string IssRecords => L("计量记录数", "Usage records");
}
