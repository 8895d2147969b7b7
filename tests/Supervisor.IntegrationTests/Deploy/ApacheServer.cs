namespace Supervisor.IntegrationTests.Deploy;

/// <summary>
/// Debian's Apache 2.4 with a self-contained apache2.conf in a test folder: modules loaded
/// by full path from /usr/lib/apache2/modules, its own pid file, runtime dir and logs,
/// loopback ports only. The site itself is the snippet `ws-supervisor config apache`
/// printed, included as it is; an extra virtual host serves a document root whose
/// .htaccess is the snippet of `config apache --htaccess`.
/// </summary>
public static class ApacheServer
{
    public const string Binary = "/usr/sbin/apache2";
    public const string ModulesDir = "/usr/lib/apache2/modules";

    private static readonly string[] Modules =
    [
        "mpm_event", "authz_core", "proxy", "proxy_http", "proxy_wstunnel", "rewrite", "headers", "ssl", "socache_shmcb",
    ];

    public static bool IsInstalled => File.Exists(Binary) && Directory.Exists(ModulesDir);

    /// <param name="site">The generated ProxyPass snippet (virtual hosts on <paramref name="listen"/>).</param>
    /// <param name="listen">The snippet's ports: plain, then TLS.</param>
    /// <param name="htaccess">The generated .htaccess, served by a virtual host on <paramref name="htaccessPort"/>.</param>
    /// <param name="timeoutSeconds">Apache's own Timeout (the client side of a tunnel).</param>
    /// <summary>"apache2 -t" on <paramref name="site"/> as it is, with the modules its
    /// generator names loaded: the exit code and everything Apache said.</summary>
    public static (int Exit, string Output) ConfigTest(string dir, string site)
    {
        File.WriteAllText(Path.Combine(dir, "site.conf"), site);
        string confPath = Path.Combine(dir, "apache2.conf");
        File.WriteAllLines(confPath,
        [
            $"ServerRoot {dir}", $"PidFile {dir}/httpd.pid", $"DefaultRuntimeDir {dir}", $"Mutex file:{dir} default",
            $"ErrorLog {dir}/error.log", "ServerName localhost",
            .. Modules.Select(m => $"LoadModule {m}_module {ModulesDir}/mod_{m}.so"),
            $"Include {dir}/site.conf",
        ]);
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(Binary, ["-t", "-f", confPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(20)))
        {
            process.Kill();
            throw new TimeoutException("apache2 -t did not exit within 20 s");
        }
        return (process.ExitCode, stdout.Result + stderr);
    }

    public static ProxyProcess Start(string dir, string site, (int Http, int Tls) listen, string htaccess, int htaccessPort,
        int timeoutSeconds)
    {
        string htdocs = Path.Combine(dir, "htdocs");
        Directory.CreateDirectory(htdocs);
        File.SetUnixFileMode(htdocs, (UnixFileMode)Convert.ToInt32("755", 8));
        File.WriteAllText(Path.Combine(htdocs, ".htaccess"), htaccess);
        File.WriteAllText(Path.Combine(dir, "site.conf"), site);

        var conf = new List<string>
        {
            $"ServerRoot {dir}",
            $"PidFile {dir}/httpd.pid",
            $"DefaultRuntimeDir {dir}",
            $"Mutex file:{dir} default",
            $"ErrorLog {dir}/error.log",
            "LogLevel warn",
            "ServerName localhost",
        };
        conf.AddRange(Modules.Select(m => $"LoadModule {m}_module {ModulesDir}/mod_{m}.so"));
        if (Environment.IsPrivilegedProcess)
            conf.AddRange([$"User {RunAs.User}", $"Group {RunAs.Group}"]);
        conf.AddRange(
        [
            $"Timeout {timeoutSeconds}",
            $"Listen 127.0.0.1:{listen.Http}",
            $"Listen 127.0.0.1:{listen.Tls} https",
            $"Listen 127.0.0.1:{htaccessPort}",
            $"<VirtualHost 127.0.0.1:{htaccessPort}>",
            $"    DocumentRoot {htdocs}",
            $"    <Directory {htdocs}>",
            "        AllowOverride FileInfo",
            "        Require all granted",
            "    </Directory>",
            "</VirtualHost>",
            $"Include {dir}/site.conf",
        ]);
        string confPath = Path.Combine(dir, "apache2.conf");
        File.WriteAllLines(confPath, conf);
        return ProxyProcess.Start(Binary, ["-f", confPath, "-DFOREGROUND"], Path.Combine(dir, "error.log"),
            [listen.Http, listen.Tls, htaccessPort]);
    }
}

/// <summary>The unprivileged account Apache's children take when it starts as root.</summary>
internal static class RunAs
{
    public static string User => Exists("/etc/passwd", "www-data") ? "www-data" : "nobody";

    public static string Group => Exists("/etc/group", "www-data") ? "www-data" : "nogroup";

    private static bool Exists(string file, string name) =>
        File.ReadLines(file).Any(l => l.StartsWith(name + ":", StringComparison.Ordinal));
}
