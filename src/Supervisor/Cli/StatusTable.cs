using System.Text.Json;

namespace Supervisor.Cli;

/// <summary>`ws-supervisor status` for people: totals, per app, then one row per connection.</summary>
public static class StatusTable
{
    public static void Print(JsonElement count, JsonElement list, TextWriter output)
    {
        output.WriteLine($"connections: {count.GetProperty("connections").GetInt32()}   unique users: {count.GetProperty("users").GetInt32()}");
        foreach (var app in count.GetProperty("paths").EnumerateObject())
            output.WriteLine($"  {app.Name,-24} {app.Value.GetInt32(),6}");
        if (list.GetArrayLength() == 0)
            return;
        output.WriteLine();
        output.WriteLine($"{"CONNECTION",-16}  {"USER",-12}  {"PATH",-16}  {"REMOTE",-21}  {"WORKER",7}  {"APP",7}  {"DROPPED",7}  SINCE");
        foreach (var c in list.EnumerateArray())
        {
            string user = c.GetProperty("user").ValueKind == JsonValueKind.Null ? "-" : c.GetProperty("user").GetString()!;
            output.WriteLine($"{c.GetProperty("id").GetString(),-16}  {user,-12}  {c.GetProperty("path").GetString(),-16}  " +
                $"{c.GetProperty("remote").GetString(),-21}  {c.GetProperty("worker").GetInt32(),7}  {c.GetProperty("app").GetInt32(),7}  " +
                $"{c.GetProperty("dropped").GetInt64(),7}  {c.GetProperty("since").GetString()}");
        }
    }
}
