using ComputeNet.Domain.Market;
using ComputeNet.Domain.Settlement;
using NodaTime;

namespace ComputeNet.Domain.Metering;

/// <summary>
/// Event: a batch of one provider's usage records was accepted, all received by one settlement period (a batch
/// spanning several receiving periods is written as one event per period, in one transaction). Stored as one event
/// so that ingestion runs at tens of thousands of records a second; each record keeps its own metering version.
/// </summary>
public sealed record UsageBatchRecorded(string Provider, string ReceivingPeriod, IReadOnlyList<UsageRecorded> Records, Instant At);

/// <summary>What became of one record of a batch: stored, a repeat of an earlier record (nothing changed), or refused.</summary>
public sealed record UsageOutcome(int Index, string RecordId, UsageRecorded? Record, bool Repeat, Rejection? Rejection);

public sealed record UsageBatchDecision(IReadOnlyList<UsageOutcome> Outcomes, IReadOnlyList<UsageBatchRecorded> Events);

/// <summary>
/// One provider's recorded usage as validation needs it: every record by id (ids are unique per provider) and, per
/// lease, the recorded intervals in start order (they never overlap, so start order is also end order), which makes
/// the overlap check a binary search. Evolved only by recorded events.
/// </summary>
public sealed class ProviderUsage(string provider)
{
    /// <summary>Records in one batch: a limit on request size and on the events written.</summary>
    public const int MaxBatch = 10_000;

    private readonly Dictionary<string, UsageRecorded> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LeaseIntervals> _byLease = new(StringComparer.Ordinal);

    public string Provider => provider;
    public int Count => _byId.Count;

    public UsageRecorded? Find(string recordId) => _byId.GetValueOrDefault(recordId);

    public long DeliveredDeviceSeconds(string leaseId) => _byLease.TryGetValue(leaseId, out var l) ? l.DeliveredDeviceSeconds : 0;

    public IEnumerable<UsageRecorded> Records => _byId.Values;

    /// <summary>
    /// Decides a batch in order: each record is checked (market-rules §6) against what is stored and against the
    /// records accepted earlier in the same batch. Accepted records are routed to their own period, or the first
    /// open period after it when that one is closed, and grouped into one event per receiving period.
    /// </summary>
    public UsageBatchDecision Decide(IReadOnlyList<RecordUsage> commands, Func<string, LeaseTerms?> leaseOf,
        Func<string, string, string?> carrierFor, PeriodCalendar calendar, IReadOnlySet<string> closedPeriods)
    {
        if (commands.Count > MaxBatch)
        {
            throw RejectedException.Of(Codes.Invalid, $"a batch holds at most {MaxBatch} records", "records");
        }
        var outcomes = new List<UsageOutcome>(commands.Count);
        var accepted = new Dictionary<string, UsageRecorded>(StringComparer.Ordinal);
        var addedByLease = new Dictionary<string, LeaseIntervals>(StringComparer.Ordinal);
        for (var i = 0; i < commands.Count; i++)
        {
            var cmd = commands[i];
            var terms = leaseOf(cmd.LeaseId);
            var previous = accepted.GetValueOrDefault(cmd.RecordId) ?? _byId.GetValueOrDefault(cmd.RecordId);
            if (terms is not null && terms.Provider == cmd.Party && UsageRules.IsRepeat(cmd, previous))
            {
                outcomes.Add(new UsageOutcome(i, cmd.RecordId, previous, true, null));
                continue;
            }
            var rejection = UsageRules.Validate(cmd, terms, previous, (from, to) =>
                Overlapping(cmd.LeaseId, from, to) ?? addedByLease.GetValueOrDefault(cmd.LeaseId)?.Overlapping(from, to),
                carrierFor);
            if (rejection is not null)
            {
                outcomes.Add(new UsageOutcome(i, cmd.RecordId, null, false, rejection));
                continue;
            }
            var own = calendar.PeriodOf(cmd.From);
            var receiving = own;
            while (closedPeriods.Contains(receiving.Key))
            {
                receiving = calendar.Next(receiving);
            }
            var q = cmd.Quantities;
            var record = new UsageRecorded(cmd.RecordId, cmd.LeaseId, cmd.Party, cmd.From, cmd.To, q.DeviceSeconds, q.EnergyKwh, q.GreenKwh,
                q.TransferGb, terms!.MeteringStandard, terms.ScuPerDevice, own.Key, receiving.Key, cmd.At,
                q.TransferGb > 0 ? carrierFor(terms.BuyerCity, terms.Cluster) : null);
            accepted[cmd.RecordId] = record;
            if (!addedByLease.TryGetValue(cmd.LeaseId, out var added))
            {
                addedByLease[cmd.LeaseId] = added = new LeaseIntervals();
            }
            added.Add(record);
            outcomes.Add(new UsageOutcome(i, cmd.RecordId, record, false, null));
        }
        var events = accepted.Values
            .GroupBy(r => r.ReceivingPeriod)
            .Select(g => new UsageBatchRecorded(provider, g.Key, g.ToList(), g.First().At))
            .ToList();
        return new UsageBatchDecision(outcomes, events);
    }

    public void Evolve(object e)
    {
        switch (e)
        {
            case UsageBatchRecorded batch:
                foreach (var r in batch.Records)
                {
                    Add(r);
                }
                break;
            case UsageRecorded r:
                Add(r);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name, "unknown usage event");
        }
    }

    private void Add(UsageRecorded r)
    {
        _byId[r.RecordId] = r;
        if (!_byLease.TryGetValue(r.LeaseId, out var lease))
        {
            _byLease[r.LeaseId] = lease = new LeaseIntervals();
        }
        lease.Add(r);
    }

    private string? Overlapping(string leaseId, Instant from, Instant to) =>
        _byLease.TryGetValue(leaseId, out var lease) ? lease.Overlapping(from, to) : null;

    /// <summary>Recorded intervals of one lease, sorted by start; invariant: no two overlap.</summary>
    private sealed class LeaseIntervals
    {
        private readonly List<(Instant From, Instant To, string Id)> _intervals = [];

        public long DeliveredDeviceSeconds { get; private set; }

        public void Add(UsageRecorded r)
        {
            var at = _intervals.Count == 0 || _intervals[^1].From <= r.From ? _intervals.Count : LowerBound(r.From);
            _intervals.Insert(at, (r.From, r.To, r.RecordId));
            DeliveredDeviceSeconds += r.DeviceSeconds;
        }

        /// <summary>The id of a recorded interval overlapping <c>[from, to)</c>: only the neighbours of the insertion point can.</summary>
        public string? Overlapping(Instant from, Instant to)
        {
            var at = LowerBound(from);
            if (at > 0 && _intervals[at - 1].To > from)
            {
                return _intervals[at - 1].Id;
            }
            return at < _intervals.Count && _intervals[at].From < to ? _intervals[at].Id : null;
        }

        /// <summary>First index whose start is at or after <paramref name="from"/>.</summary>
        private int LowerBound(Instant from)
        {
            int lo = 0, hi = _intervals.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (_intervals[mid].From < from)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }
            return lo;
        }
    }
}
