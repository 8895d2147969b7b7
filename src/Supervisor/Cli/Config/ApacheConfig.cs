using System.Globalization;
using System.Text;

namespace Supervisor.Cli.Config;

/// <summary>
/// Apache 2.4 in front of ws-supervisor, in the two forms its users meet: a ProxyPass in
/// the server config (mod_proxy_http's upgrade=websocket, Apache ≥ 2.4.47), and the
/// .htaccess RewriteRule with [P] that shared hosting and the PHP servers' docs use.
/// Every line that fixes a known failure says which in a comment.
/// </summary>
public static class ApacheConfig
{
    public static string Write(ConfigRequest request, string madeBy) =>
        request.Proxy.Htaccess ? Htaccess(request, madeBy) : ProxyPass(request, madeBy);

    private static string ProxyPass(ConfigRequest request, string madeBy)
    {
        var (backend, proxy) = (request.Backend, request.Proxy);
        var text = new StringBuilder();
        text.AppendLine("# ws-supervisor behind Apache 2.4 with mod_proxy_wstunnel: the ProxyPass form (Apache >= 2.4.47).");
        text.AppendLine($"# Made by: {madeBy}");
        text.AppendLine("#");
        text.AppendLine("# 1. Run ws-supervisor with the flags this config was made for:");
        text.AppendLine($"#      {ServerCommand.ForShell(ServerCommand.Words(backend))}");
        text.AppendLine($"# 2. Enable the modules: a2enmod proxy proxy_http proxy_wstunnel headers{(proxy.Tls is null ? "" : " ssl")}");
        text.AppendLine("# 3. Save what follows as /etc/apache2/sites-available/ws-supervisor.conf and a2ensite it, or put");
        text.AppendLine("#    its ProxyPass and RequestHeader lines in your site's own <VirtualHost>; then");
        text.AppendLine("#    apachectl configtest && apachectl graceful");
        text.AppendLine($"# Browsers connect to {ConfigText.Urls(proxy)}.");
        AppendListenHints(text, proxy);
        text.AppendLine();
        AppendVirtualHost(text, request, proxy.Http, tls: false);
        if (proxy.Tls is { } tls)
        {
            text.AppendLine();
            AppendVirtualHost(text, request, tls, tls: true);
        }
        return text.ToString();
    }

    private static void AppendVirtualHost(StringBuilder text, ConfigRequest request, ListenSpec listen, bool tls)
    {
        var (backend, proxy) = (request.Backend, request.Proxy);
        string timeout = proxy.TimeoutSeconds.ToString(CultureInfo.InvariantCulture);
        text.AppendLine($"<VirtualHost {(listen.Address is null ? "*:" + listen.Port.ToString(CultureInfo.InvariantCulture) : listen.ToString())}>");
        if (proxy.ServerName is { } name && name.StartsWith('*'))
        {
            text.AppendLine("    # A wildcard is no ServerName (apachectl configtest refuses it): ServerAlias matches it.");
            text.AppendLine($"    ServerAlias {name}");
        }
        else if (proxy.ServerName is not null)
            text.AppendLine($"    ServerName {proxy.ServerName}");
        else
            text.AppendLine("    # No ServerName (--server-name): this host answers only where it is the first for its port.");
        if (tls)
        {
            text.AppendLine("    # wss:// ends here: Apache holds the certificate, ws-supervisor behind it speaks plain ws://.");
            text.AppendLine("    SSLEngine on");
            text.AppendLine($"    SSLCertificateFile \"{proxy.CertFile}\"");
            text.AppendLine($"    SSLCertificateKeyFile \"{proxy.KeyFile}\"");
        }
        text.AppendLine("    # The browser's Host reaches ws-supervisor (SERVER_NAME, HTTP_HOST, --sameorigin).");
        text.AppendLine("    ProxyPreserveHost On");
        text.AppendLine("    # upgrade=websocket: tunnel the connection once ws-supervisor answers 101.");
        text.AppendLine("    # retry=0: after a failed connect (ws-supervisor restarting) try again at the next request;");
        text.AppendLine("    #   Apache versions that disable the worker then (AH00959) would answer 503 for 60 s.");
        ConfigText.Comment(text, "    ", $"timeout={timeout}: a tunnel with no byte either way for {timeout} s is cut. {ConfigText.PingNote(backend, proxy)}");
        text.AppendLine($"    ProxyPass \"{proxy.PublicPath}\" \"ws://{backend.Authority}/\" upgrade=websocket retry=0 timeout={timeout}");
        text.AppendLine("    # mod_proxy adds X-Forwarded-For (the browser's address); ws-supervisor believes it from");
        text.AppendLine($"    # {ConfigText.TrustedList(backend)} (--trusted-proxy), and sets HTTPS=on for the app from this header.");
        text.AppendLine($"    RequestHeader set X-Forwarded-Proto \"{(tls ? "https" : "http")}\"");
        text.AppendLine("</VirtualHost>");
    }

    private static string Htaccess(ConfigRequest request, string madeBy)
    {
        var (backend, proxy) = (request.Backend, request.Proxy);
        string timeout = proxy.TimeoutSeconds.ToString(CultureInfo.InvariantCulture);
        string pattern = "^/?" + RegexEscape(proxy.PublicPath.TrimStart('/')) + "(.*)$";
        var text = new StringBuilder();
        text.AppendLine("# ws-supervisor behind Apache 2.4: the .htaccess form (mod_rewrite's [P] through mod_proxy_wstunnel).");
        text.AppendLine($"# Made by: {madeBy}");
        text.AppendLine("#");
        text.AppendLine("# 1. Run ws-supervisor with the flags this config was made for:");
        text.AppendLine($"#      {ServerCommand.ForShell(ServerCommand.Words(backend))}");
        text.AppendLine("# 2. The server config must allow it (ask your host if it is not yours):");
        text.AppendLine("#      a2enmod proxy proxy_http proxy_wstunnel rewrite headers");
        text.AppendLine("#        (without mod_proxy, [P] answers 403, AH10160: rewriting to ws:// needs a proxy to hand it to)");
        text.AppendLine("#      AllowOverride FileInfo  in the <Directory> of the document root");
        text.AppendLine("#        (without it Apache ignores this file without a word: the upgrade gets 404 or your PHP page)");
        text.AppendLine("#    and, because .htaccess may not set them, in the server config if you can:");
        text.AppendLine($"#      <Proxy \"ws://{backend.Authority}/\">");
        text.AppendLine($"#          ProxySet retry=0 timeout={timeout}");
        text.AppendLine("#      </Proxy>");
        ConfigText.Comment(text, "", $"   (timeout={timeout}: {ConfigText.PingNote(backend, proxy)} Without this block a tunnel's idle timeout is the server's Timeout: 60 s by default, 300 s in Debian's apache2.conf. retry=0: a failed connect while ws-supervisor restarts never disables the worker for 60 s.)");
        text.AppendLine("# 3. Put what follows in DOCUMENT_ROOT/.htaccess (once: keep one RewriteEngine On).");
        text.AppendLine($"# Browsers connect to {ConfigText.Urls(proxy)}.");
        text.AppendLine();
        text.AppendLine("RewriteEngine On");
        text.AppendLine("# Only WebSocket upgrades go to ws-supervisor. Connection is a token list (Firefox sends");
        text.AppendLine("# \"keep-alive, Upgrade\"), so \"upgrade\" is looked for anywhere in it, not as the whole value.");
        text.AppendLine("RewriteCond %{HTTP:Upgrade} websocket [NC]");
        text.AppendLine("RewriteCond %{HTTP:Connection} upgrade [NC]");
        text.AppendLine($"RewriteRule {pattern} ws://{backend.Authority}/$1 [P,L]");
        text.AppendLine("# mod_proxy adds X-Forwarded-For (the browser's address); ws-supervisor believes it from");
        text.AppendLine($"# {ConfigText.TrustedList(backend)} (--trusted-proxy), and sets HTTPS=on for the app when this says https.");
        text.AppendLine("RequestHeader set X-Forwarded-Proto \"expr=%{REQUEST_SCHEME}\"");
        return text.ToString();
    }

    private static void AppendListenHints(StringBuilder text, ProxySpec proxy)
    {
        foreach (var listen in new[] { proxy.Http, proxy.Tls })
        {
            if (listen is not null && (listen.Address is not null || listen.Port is not (80 or 443)))
                text.AppendLine($"# Apache must also listen there: Listen {listen}{(listen == proxy.Tls ? " https" : "")}");
        }
    }

    /// <summary>The public path's characters are letters, digits and . _ ~ - /: only the dot
    /// means something to PCRE.</summary>
    private static string RegexEscape(string path) => path.Replace(".", "\\.");
}
