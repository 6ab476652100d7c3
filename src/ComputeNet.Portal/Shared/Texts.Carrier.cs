namespace ComputeNet.Portal.Shared;

/// <summary>The carrier's pages' strings, both languages (statements and balance share the provider's, Texts.Provider.cs).</summary>
public sealed partial class Texts
{
    // Navigation
    public string CrRoutes => L("线路", "Routes");
    public string CrTransport => L("流量与收入", "Traffic and revenue");

    // Routes
    public string CrRoutesTitle => L("我的线路（城市–集群）", "My routes (city–cluster)");
    public string CrNoRoutes => L("暂无线路", "No routes");
    public string CrCity => L("城市", "City");
    public string CrHub => L("枢纽", "Hub");

    // Transport
    public string CrTransportTitle => L("各线路传输量与收入", "GB and revenue per route");
    public string CrFromPeriod => L("起始结算期", "From period");
    public string CrToPeriod => L("截止结算期（含）", "To period (included)");
    public string CrRangeHelp => L("结算期如 2026-12-01；默认为截至本期的 7 期，最多 366 期。收入在结算期关账后计入。",
        "Period keys such as 2026-12-01; by default the 7 periods up to the current one, at most 366. Revenue counts once a period is closed.");
    public string CrChartTitle => L("每期传输量（GB）", "GB transferred per period");
    public string CrChartLabel => L("各线路每期传输量柱状图", "Bar chart of the GB each route transferred per period");
    public string CrChartTop(int shown, int all) => L($"图中为传输量最大的 {shown} 条线路（共 {all} 条），表格列出全部。", $"The chart shows the {shown} routes with the most GB of {all}; the table lists every one.");
    public string CrPerRoute => L("按线路与结算期", "Per route and period");
    public string CrNothingInRange => L("此范围内没有传输", "No traffic in this range");
    public string CrRoute => L("线路", "Route");
    public string CrTransferredGb => L("传输量（GB）", "Transferred (GB)");
    public string CrRecords => L("用量记录数", "Usage records");
    public string CrBilledGb => L("计费量（GB）", "Billed (GB)");
    public string CrRevenue => L("收入", "Revenue");
    public string CrTotal => L("合计", "Total");

    // Statements, balance
    public string CrStatementsTitle => L("结算单（网络运营商）", "Statements (carrier)");
    public string CrBalanceTitle => L("余额与流水", "Balance and ledger lines");
}
