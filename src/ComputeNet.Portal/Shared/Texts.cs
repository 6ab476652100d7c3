namespace ComputeNet.Portal.Shared;

/// <summary>
/// Every string the portal shows, in Simplified Chinese (the default) and English. Each entry is written as
/// <c>L("中文", "English")</c>, so no string exists in one language only. The language is the <c>cn_lang</c> cookie
/// (<c>zh</c> or <c>en</c>), set by the toggle in the header. Rejection reasons written by the market rules stay as the
/// rules wrote them; their codes are named here. Each role's pages keep their own strings in a partial file beside
/// this one (<c>Texts.Provider.cs</c>, …).
/// </summary>
public sealed partial class Texts
{
    public const string CookieName = "cn_lang";

    public static readonly Texts Zh = new(false);
    public static readonly Texts En = new(true);

    private Texts(bool english) => English = english;

    public bool English { get; }

    public string Lang => English ? "en" : "zh";
    public string HtmlLang => English ? "en" : "zh-CN";

    public static Texts Of(HttpContext? http) =>
        http?.Request.Cookies[CookieName] == "en" ? En : Zh;

    private string L(string zh, string en) => English ? en : zh;

    // Frame
    public string Brand => L("算力网 ComputeNet", "ComputeNet");
    public string SkipToContent => L("跳到正文", "Skip to content");
    public string OtherLanguage => L("English", "中文");
    public string OtherLanguageLabel => L("Switch to English", "切换到中文");
    public string SignIn => L("登录", "Sign in");
    public string SignOut => L("退出", "Sign out");
    public string Navigation => L("导航", "Navigation");
    public string SignedInAs => L("当前身份", "Signed in as");
    public string TimesIn(string zone) => L($"时间均为 {zone} 时区", $"Times are in {zone}");

    // Sign-in
    public string SignInTitle => L("登录算力网", "Sign in to ComputeNet");
    public string SignInHelp => L("请输入贵单位的 API 密钥（cnk_…），平台运营方请输入运营密钥。密钥只在本次提交中使用，不会保存在浏览器里。",
        "Enter your organisation's API key (cnk_…), or the operator key. The key is used for this submission only and is never stored in your browser.");
    public string ApiKey => L("API 密钥", "API key");
    public string WrongKey => L("密钥无效：未知、已轮换或已吊销。", "That key is not valid: unknown, rotated or revoked.");
    public string SessionNote => L("会话在 8 小时无操作、退出或密钥被轮换/吊销后结束。", "A session ends after 8 hours without use, on sign-out, or when its key is rotated or revoked.");

    // Roles
    public string RoleName(string role) => role switch
    {
        "buyer" => L("买方企业", "Buyer"),
        "provider" => L("算力提供方", "Provider"),
        "carrier" => L("网络运营商", "Carrier"),
        "issuer" => L("发券机构", "Voucher issuer"),
        "regulator" => L("监管方", "Regulator"),
        "operator" => L("平台运营方", "Operator"),
        _ => role,
    };

    // Home, errors
    public string Home => L("首页", "Home");
    public string Welcome => L("欢迎", "Welcome");
    public string BuyerIntro => L("查看市场深度、下单、管理订单与租约、查看账单和算力券。", "See the market depth, place bids, manage your orders and leases, read your invoices and vouchers.");
    public string RoleLater => L("该角色的页面将在后续版本提供；在此之前请使用 API 或命令行。", "This role's pages come in a later version; use the API or the CLI meanwhile.");
    public string DeniedTitle => L("无权访问", "Not allowed");
    public string DeniedText => L("您的角色不能查看此页面。", "Your role may not see this page.");
    public string NotFoundTitle => L("未找到", "Not found");
    public string NothingVisible => L("这里没有您可查看的内容。", "Nothing here is visible to you.");
    public string NotFoundText(string what) => L($"没有您可查看的{what}。", $"No {what} visible to you.");
    public string Refused => L("未被接受", "Not accepted");
    public string CodeText(string code) => code switch
    {
        "invalid" => L("输入无效", "Invalid input"),
        "unknown-party" => L("未知参与方", "Unknown party"),
        "wrong-role" => L("角色不符", "Wrong role"),
        "id-reused" => L("编号已被使用", "Id already used"),
        "window-started" => L("时间窗口已开始", "Window already started"),
        "not-supported" => L("暂不支持", "Not supported"),
        "over-capacity" => L("超出容量", "Over capacity"),
        "unavailable" => L("服务暂不可用，请用同一编号重试", "Unavailable for now; retry with the same id"),
        "not-found" => L("未找到", "Not found"),
        _ => code,
    };

    // Navigation
    public string Market => L("市场深度", "Market depth");
    public string Orders => L("我的订单", "My orders");
    public string Leases => L("租约", "Leases");
    public string Invoices => L("账单", "Invoices");
    public string Vouchers => L("算力券", "Vouchers");

    // Market
    public string MarketTitle => L("市场深度", "Market depth");
    public string Family => L("算力类别", "Compute family");
    public string Cluster => L("集群", "Cluster");
    public string AllClusters => L("全部集群", "All clusters");
    public string Show => L("查看", "Show");
    public string Bids => L("买盘", "Bids");
    public string Offers => L("卖盘", "Offers");
    public string PriceUnit => L("价格（元/SCU·时）", "Price (yuan/SCU-hour)");
    public string Devices => L("设备数", "Devices");
    public string OrderCount => L("订单数", "Orders");
    public string Cumulative => L("累计设备", "Cumulative devices");
    public string NoLevels => L("暂无挂单", "No orders resting");
    public string AsOf => L("更新于", "As of");
    public string LiveNote(int seconds) => L($"每 {seconds} 秒自动刷新。", $"Refreshes every {seconds} s.");
    public string ChartLabel(string family) => L($"{family} 市场深度图：绿色为买盘累计，红色为卖盘累计", $"Depth chart of {family}: bids cumulated in green, offers in red");

    // Bid form
    public string PlaceBid => L("提交买单", "Place a bid");
    public string BidId => L("买单编号（重复提交同一编号不会重复下单）", "Bid id (a repeat with the same id changes nothing)");
    public string MinScu => L("每设备最低 SCU", "Min SCU per device");
    public string MinMemory => L("最低显存（GB）", "Min memory (GB)");
    public string From => L("开始（整点）", "From (whole hour)");
    public string To => L("结束（整点，不含）", "To (whole hour, exclusive)");
    public string Tier => L("时延等级", "Latency tier");
    public string TierName(string tier) => tier switch
    {
        "city" => L("同城", "City"),
        "regional" => L("区域", "Regional"),
        "cross-hub" => L("跨枢纽", "Cross-hub"),
        _ => tier,
    };
    public string MinGreen => L("最低绿电比例（0–1）", "Min green share (0–1)");
    public string Price => L("最高价格（元/SCU·时）", "Limit price (yuan/SCU-hour)");
    public string Commitment => L("承诺方式", "Commitment");
    public string CommitmentName(string c) => c switch
    {
        "reserved" => L("预留", "Reserved"),
        "on-demand" => L("按需", "On demand"),
        _ => c,
    };
    public string Split => L("可拆分成交", "May be filled in parts");
    public string Tif => L("有效方式", "Time in force");
    public string TifName(string tif) => tif switch
    {
        "GTC" => L("GTC 撤销前有效", "GTC good till cancelled"),
        "IOC" => L("IOC 立即成交剩余撤销", "IOC immediate or cancel"),
        "FOK" => L("FOK 全部成交否则撤销", "FOK fill or kill"),
        _ => tif,
    };
    public string City => L("城市（默认贵单位所在城市）", "City (default: your own)");
    public string Submit => L("提交", "Submit");
    public string BidResult(string id, string state, int filled, int devices) =>
        L($"买单 {id} 已接受：{StateName(state)}，成交 {filled}/{devices} 台。", $"Bid {id} accepted: {StateName(state)}, {filled} of {devices} devices filled.");
    public string Repeat => L("（重复提交，未作改变）", "(a repeat: nothing changed)");

    // Orders
    public string OrdersTitle => L("我的订单", "My orders");
    public string Order => L("订单", "Order");
    public string OrderId => L("订单编号", "Order id");
    public string Side => L("方向", "Side");
    public string SideName(string side) => side == "bid" ? L("买", "Bid") : side == "offer" ? L("卖", "Offer") : side;
    public string State => L("状态", "State");
    public string StateName(string state) => state switch
    {
        "resting" => L("挂单中", "resting"),
        "partially-filled" => L("部分成交", "partially filled"),
        "filled" => L("已成交", "filled"),
        "cancelled" => L("已撤销", "cancelled"),
        "expired" => L("已过期", "expired"),
        "killed" => L("已撤销（FOK/IOC）", "killed"),
        "rejected" => L("已拒绝", "rejected"),
        _ => state,
    };
    public string Filled => L("已成交", "Filled");
    public string NoOrders => L("暂无订单", "No orders yet");
    public string Previous => L("上一页", "Previous");
    public string Next => L("下一页", "Next");
    public string PageOf(int from, int to) => L($"第 {from}–{to} 条", $"Items {from}–{to}");
    public string ReduceTo => L("减少到（总设备数，含已成交）", "Reduce to (total devices, filled included)");
    public string Reduce => L("减少", "Reduce");
    public string Cancel => L("撤单", "Cancel order");
    public string OrderChanged(string state, int filled, int devices) =>
        L($"已更新：{StateName(state)}，成交 {filled}/{devices} 台。", $"Updated: {StateName(state)}, {filled} of {devices} devices filled.");
    public string OrderWhat => L("订单", "order");
    public string Back => L("返回", "Back");
    public string OrderFinished => L("该订单已结束，不能再修改。", "This order is finished and cannot be changed.");

    // Leases
    public string LeasesTitle => L("租约（成交）", "Leases (trades)");
    public string Lease => L("租约", "Lease");
    public string Provider => L("提供方", "Provider");
    public string Window => L("时间窗口", "Window");
    public string ResourceClass => L("资源规格", "Resource class");
    public string NoLeases => L("暂无租约", "No leases yet");

    // Invoices
    public string InvoicesTitle => L("账单", "Invoices");
    public string Invoice => L("账单", "Invoice");
    public string InvoiceWhat => L("账单", "invoice");
    public string Period => L("结算期", "Period");
    public string Amount => L("金额", "Amount");
    public string VoucherPart => L("算力券/运力券抵扣", "Paid by vouchers");
    public string Due => L("应付", "Due");
    public string Lines => L("明细", "Lines");
    public string IssuedAt => L("开具时间", "Issued");
    public string DownloadPdf => L("下载 PDF", "Download PDF");
    public string NoInvoices => L("暂无账单", "No invoices yet");
    public string Line => L("行", "Line");
    public string Kind => L("类型", "Kind");
    public string LineKind(string kind) => kind switch
    {
        "compute" => L("算力", "Compute"),
        "sla-credit" => L("SLA 赔付", "SLA credit"),
        "transport" => L("传输", "Transport"),
        _ => kind,
    };
    public string Quantity => L("数量", "Quantity");
    public string UnitPrice => L("单价（元）", "Unit price (yuan)");
    public string Tax => L("其中增值税", "VAT included");
    public string Late => L("迟报", "late");
    public string Hash => L("哈希（SHA-256）", "Hash (SHA-256)");

    // Payment
    public string PayTitle => L("付款", "Payment");
    public string PayByBank => L("请通过银行转账支付应付金额，并在附言中注明账单编号。", "Pay the amount due by bank transfer, quoting the invoice id as the reference.");
    public string Payee => L("收款人", "Payee");
    public string Bank => L("开户行", "Bank");
    public string Account => L("账号", "Account");
    public string Reference => L("附言（账单编号）", "Reference (invoice id)");
    public string AmountToPay => L("应付金额", "Amount due");
    public string BankNotConfigured => L("平台尚未配置收款账户，请联系平台运营方获取转账信息。", "The platform has not configured its collection account: ask the operator for the transfer details.");
    public string NothingDue => L("本账单无需支付。", "Nothing is due on this invoice.");

    // Vouchers
    public string VouchersTitle => L("算力券与运力券", "Compute and transport vouchers");
    public string Voucher => L("券", "Voucher");
    public string Programme => L("项目", "Programme");
    public string Issuer => L("发券机构", "Issuer");
    public string VoucherKind(string kind) => kind switch
    {
        "compute" => L("算力券", "Compute voucher"),
        "transport" => L("运力券", "Transport voucher"),
        _ => kind,
    };
    public string Face => L("面额", "Granted");
    public string Left => L("余额", "Left");
    public string Coverage => L("抵扣比例", "Coverage");
    public string ValidUntil => L("有效期至", "Valid until");
    public string Status => L("状态", "Status");
    public string Lapsed => L("已失效", "Lapsed");
    public string Active => L("有效", "Active");
    public string NoVouchers => L("暂无算力券", "No vouchers");

    /// <summary>Every string of <see cref="Texts"/> without arguments, for the test that both languages have each (and differ where they must).</summary>
    internal IEnumerable<(string Name, string Value)> AllPlain() =>
        typeof(Texts).GetProperties().Where(p => p.PropertyType == typeof(string) && p.GetIndexParameters().Length == 0)
            .Select(p => (p.Name, (string)p.GetValue(this)!));
}
