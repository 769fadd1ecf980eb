namespace Campus.IoT.Dashboard.Auth;

/// <summary>A person who signs in. <see cref="Sites"/> may be <c>*</c>; <see cref="Rooms"/> are device globs (managers).</summary>
internal sealed record CampusUser
{
    public required string Username { get; init; }

    public required string DisplayName { get; init; }

    public required string Role { get; init; }

    public IReadOnlyList<string> Sites { get; init; } = [];

    public IReadOnlyList<string> Rooms { get; init; } = [];

    /// <summary>ASP.NET Core Identity's PBKDF2 hash (<see cref="Microsoft.AspNetCore.Identity.PasswordHasher{TUser}"/>).</summary>
    public string PasswordHash { get; init; } = string.Empty;

    /// <summary>Set for a password someone else chose (the first admin's one-time password, a new user's): it must be changed at sign-in.</summary>
    public bool MustChangePassword { get; init; }

    public bool Disabled { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}
