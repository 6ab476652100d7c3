using System.Text;
using NodaTime;

namespace ComputeNet.Domain.Market;

/// <summary>
/// The live orders of a <see cref="BookSnapshot"/> as compact bytes, a chunk at a time: each order's resting state
/// (placement fields, devices, fills, calendar runs, leases at placement) in a fixed binary layout, the repeated words
/// (parties, clusters, hubs, classes, families, standards, tiers, commitments, time in force, cities) written once per
/// chunk and then by number. Decimals keep their scale and instants their nanoseconds, so a decoded order equals the
/// one encoded (pinned by <c>BookSnapshotTests</c>). Pure: bytes in, bytes out.
/// </summary>
public static class SnapshotCodec
{
    /// <summary>The layout's version, the first byte of every chunk. 2: a bid ends with its <see cref="BidPlaced.MaxScuPerDevice"/>
    /// (1, without it, is still read).</summary>
    public const byte Format = 2;

    public static byte[] Encode(IReadOnlyList<SnapshotOrder> orders)
    {
        using var stream = new MemoryStream(orders.Count * 160 + 16);
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            var words = new Dictionary<string, int>(StringComparer.Ordinal);
            void Word(string s)
            {
                if (words.TryGetValue(s, out var n))
                {
                    w.Write7BitEncodedInt(n);
                    return;
                }
                w.Write7BitEncodedInt(words.Count);
                words[s] = words.Count;
                w.Write(s);
            }
            void Time(Instant at)
            {
                var d = at - NodaConstants.UnixEpoch;
                w.Write(d.Days);
                w.Write(d.NanosecondOfDay);
            }
            w.Write(Format);
            w.Write(orders.Count);
            foreach (var o in orders)
            {
                w.Write(o.Seq);
                w.Write(o.Devices);
                w.Write(o.Filled);
                w.Write7BitEncodedInt(o.LeasesAtPlacement.Count);
                foreach (var lease in o.LeasesAtPlacement)
                {
                    w.Write(lease);
                }
                if (o.Bid is { } b)
                {
                    w.Write((byte)0);
                    w.Write(b.Seq);
                    w.Write(b.BidId);
                    Word(b.Party);
                    Word(b.Family);
                    w.Write(b.Devices);
                    w.Write(b.MinScuPerDevice);
                    w.Write(b.MinMemoryGb);
                    Time(b.From);
                    Time(b.To);
                    Word(b.Tier);
                    w.Write(b.MinGreen);
                    w.Write(b.Price);
                    Word(b.Commitment);
                    w.Write(b.Split);
                    Word(b.Tif);
                    Word(b.City);
                    w.Write(b.CityGiven);
                    Time(b.At);
                    w.Write(b.MaxScuPerDevice.HasValue);
                    if (b.MaxScuPerDevice is { } scu)
                    {
                        w.Write(scu);
                    }
                }
                else
                {
                    var f = o.Offer ?? throw new InvalidOperationException($"snapshot order {o.Seq} is neither a bid nor an offer");
                    w.Write((byte)1);
                    w.Write(f.Seq);
                    w.Write(f.OfferId);
                    Word(f.Party);
                    Word(f.Cluster);
                    Word(f.Hub);
                    Word(f.ResourceClass);
                    Word(f.Family);
                    Word(f.MeteringStandard);
                    w.Write(f.ScuPerDevice);
                    w.Write(f.MemoryGb);
                    w.Write(f.Devices);
                    Time(f.From);
                    Time(f.To);
                    w.Write(f.Price);
                    w.Write(f.GreenShare);
                    Time(f.At);
                    w.Write7BitEncodedInt(o.Leased is null ? 0 : o.Leased.Count + 1);
                    foreach (var run in o.Leased ?? [])
                    {
                        w.Write(run.FromHour);
                        w.Write(run.ToHour);
                        w.Write(run.Devices);
                    }
                }
            }
        }
        return stream.ToArray();
    }

    public static List<SnapshotOrder> Decode(byte[] data)
    {
        using var r = new BinaryReader(new MemoryStream(data, writable: false), Encoding.UTF8);
        if (r.ReadByte() is var format && format is not (1 or Format))
        {
            throw new InvalidDataException($"snapshot chunk format {format} is not 1 or {Format}");
        }
        var count = r.ReadInt32();
        var orders = new List<SnapshotOrder>(count);
        var words = new List<string>();
        string Word()
        {
            var n = r.Read7BitEncodedInt();
            if (n == words.Count)
            {
                words.Add(r.ReadString());
            }
            return words[n];
        }
        Instant Time()
        {
            var days = r.ReadInt32();
            var nanos = r.ReadInt64();
            return NodaConstants.UnixEpoch + Duration.FromDays(days) + Duration.FromNanoseconds(nanos);
        }
        for (var i = 0; i < count; i++)
        {
            var seq = r.ReadInt64();
            var devices = r.ReadInt32();
            var filled = r.ReadInt32();
            var leaseCount = r.Read7BitEncodedInt();
            var leases = new List<string>(leaseCount);
            for (var l = 0; l < leaseCount; l++)
            {
                leases.Add(r.ReadString());
            }
            if (r.ReadByte() == 0)
            {
                var bid = new BidPlaced(r.ReadInt64(), r.ReadString(), Word(), Word(), r.ReadInt32(), r.ReadDecimal(), r.ReadInt32(), Time(), Time(),
                    Word(), r.ReadDecimal(), r.ReadDecimal(), Word(), r.ReadBoolean(), Word(), Word(), r.ReadBoolean(), Time());
                if (format >= 2 && r.ReadBoolean())
                {
                    bid = bid with { MaxScuPerDevice = r.ReadDecimal() };
                }
                orders.Add(new SnapshotOrder(seq, bid, null, devices, filled, null, leases));
            }
            else
            {
                var offer = new OfferListed(r.ReadInt64(), r.ReadString(), Word(), Word(), Word(), Word(), Word(), Word(), r.ReadDecimal(),
                    r.ReadInt32(), r.ReadInt32(), Time(), Time(), r.ReadDecimal(), r.ReadDecimal(), Time());
                var runs = r.Read7BitEncodedInt() - 1;
                List<LeaseRun>? leased = null;
                if (runs >= 0)
                {
                    leased = new List<LeaseRun>(runs);
                    for (var k = 0; k < runs; k++)
                    {
                        leased.Add(new LeaseRun(r.ReadInt32(), r.ReadInt32(), r.ReadInt32()));
                    }
                }
                orders.Add(new SnapshotOrder(seq, null, offer, devices, filled, leased, leases));
            }
        }
        return orders;
    }
}
