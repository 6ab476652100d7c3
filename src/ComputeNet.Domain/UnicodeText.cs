namespace ComputeNet.Domain;

/// <summary>Valid Unicode text: UTF-16 with every surrogate in a high–low pair (market-rules §6: a lone surrogate is `invalid`).</summary>
public static class UnicodeText
{
    /// <summary>The index of the first lone surrogate in <paramref name="s"/>, or −1 when it is valid UTF-16.</summary>
    public static int IndexOfLoneSurrogate(ReadOnlySpan<char> s)
    {
        var i = s.IndexOfAnyInRange('\uD800', '\uDFFF');
        if (i < 0)
        {
            return -1;
        }
        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1]))
                {
                    return i;
                }
                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return i;
            }
        }
        return -1;
    }

    public static bool IsValid(ReadOnlySpan<char> s) => IndexOfLoneSurrogate(s) < 0;
}
