namespace Campus.IoT.Devices.Panels.ContactId;

/// <summary>
/// One Contact ID message, <c>ACCT MT Q XYZ GG CCC S</c>: account, message type (18 or 98), qualifier (1 new event,
/// 3 restore, 6 status still present), event code, group/partition, zone or user, check digit.
/// </summary>
public sealed record ContactIdMessage(string Account, string MessageType, char Qualifier, int Code, string Group, string Zone)
{
    /// <summary>Parses the 16 digits (spaces already removed). Null with a reason when the layout or checksum is wrong.</summary>
    public static ContactIdMessage? TryParse(string digits, out string reason)
    {
        reason = string.Empty;
        if (digits.Length != 16 || digits.Any(c => ContactIdCodes.DigitValue(c) < 0))
        {
            reason = "bad_layout";
            return null;
        }

        if (!ContactIdCodes.ChecksumOk(digits))
        {
            reason = "bad_checksum";
            return null;
        }

        var type = digits[4..6];
        var qualifier = digits[6];
        if (type is not ("18" or "98") || qualifier is not ('1' or '3' or '6') || !int.TryParse(digits.AsSpan(7, 3), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code))
        {
            reason = "bad_layout";
            return null;
        }

        return new ContactIdMessage(digits[..4].ToUpperInvariant(), type, qualifier, code, digits[10..12], digits[12..15]);
    }

    /// <summary>The 16 digits with a correct check digit (used by the simulator and DC-09 ADM-CID).</summary>
    public string Format()
    {
        var body = $"{Account}{MessageType}{Qualifier}{Code:D3}{Group}{Zone}";
        return body + ContactIdCodes.CheckDigit(body);
    }
}
