namespace Supervisor.IntegrationTests.Deploy;

/// <summary>
/// nginx with its own prefix folder (-p), config, pid file, logs and temp paths, in the
/// foreground (daemon off), loopback ports only. Its http {} block includes the snippet
/// `ws-supervisor config nginx` printed, as it is.
/// </summary>
public static class NginxServer
{
    public const string Binary = "/usr/sbin/nginx";

    public static bool IsInstalled => File.Exists(Binary);

    public static ProxyProcess Start(string dir, string site, (int Http, int Tls) listen)
    {
        Directory.CreateDirectory(Path.Combine(dir, "logs"));
        Directory.CreateDirectory(Path.Combine(dir, "tmp"));
        File.WriteAllText(Path.Combine(dir, "site.conf"), site);
        string confPath = Path.Combine(dir, "nginx.conf");
        File.WriteAllLines(confPath,
        [
            $"pid {dir}/nginx.pid;",
            $"error_log {dir}/logs/error.log warn;",
            "worker_processes 1;",
            "events { worker_connections 256; }",
            "http {",
            "    access_log off;",
            .. new[] { "client_body", "proxy", "fastcgi", "uwsgi", "scgi" }.Select(t => $"    {t}_temp_path {dir}/tmp/{t};"),
            $"    include {dir}/site.conf;",
            "}",
        ]);
        return ProxyProcess.Start(Binary, ["-p", dir, "-c", confPath, "-g", "daemon off;"], Path.Combine(dir, "logs", "error.log"),
            [listen.Http, listen.Tls]);
    }
}
