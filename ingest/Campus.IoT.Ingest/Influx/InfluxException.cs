using System.Net;

namespace Campus.IoT.Ingest.Influx;

/// <summary>
/// An InfluxDB server refused a request (<see cref="StatusCode"/> set, the message carries the server's error text), answered
/// with an error inside a successful response, or could not be reached (the inner exception says why).
/// </summary>
public sealed class InfluxException : Exception
{
    public InfluxException()
    {
    }

    public InfluxException(string message)
        : base(message)
    {
    }

    public InfluxException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public InfluxException(string message, HttpStatusCode? statusCode, Exception? innerException = null)
        : base(message, innerException) => StatusCode = statusCode;

    /// <summary>The HTTP status of the refusal; null when the server was not reached or answered 2xx with an error.</summary>
    public HttpStatusCode? StatusCode { get; }
}
