using System.Globalization;
using System.Text;

namespace Supervisor.Cli.Config;

/// <summary>
/// nginx in front of ws-supervisor: a map for the Connection header and one server with a
/// location, meant for the http {} block (conf.d/). Every line that fixes a known failure
/// says which in a comment.
/// </summary>
public static class NginxConfig
{
    public static string Write(ConfigRequest request, string madeBy)
    {
        var (backend, proxy) = (request.Backend, request.Proxy);
        string timeout = proxy.TimeoutSeconds.ToString(CultureInfo.InvariantCulture) + "s";
        var text = new StringBuilder();
        text.AppendLine("# ws-supervisor behind nginx.");
        text.AppendLine($"# Made by: {madeBy}");
        text.AppendLine("#");
        text.AppendLine("# 1. Run ws-supervisor with the flags this config was made for:");
        text.AppendLine($"#      {ServerCommand.ForShell(ServerCommand.Words(backend))}");
        text.AppendLine("# 2. Save what follows as /etc/nginx/conf.d/ws-supervisor.conf (it belongs in http {}), or put the");
        text.AppendLine("#    map there and the location in your own server {}; then nginx -t && nginx -s reload");
        text.AppendLine($"# Browsers connect to {ConfigText.Urls(proxy)}.");
        text.AppendLine();
        text.AppendLine("# Upgrade and Connection are hop-by-hop: nginx does not pass the browser's on, so they are");
        text.AppendLine("# set again below, \"upgrade\" for a WebSocket handshake and \"close\" for anything else.");
        text.AppendLine("map $http_upgrade $ws_supervisor_connection {");
        text.AppendLine("    default upgrade;");
        text.AppendLine("    ''      close;");
        text.AppendLine("}");
        text.AppendLine();
        text.AppendLine("server {");
        text.AppendLine($"    listen {proxy.Http};");
        if (proxy.Tls is { } tls)
        {
            text.AppendLine("    # wss:// ends here: nginx holds the certificate, ws-supervisor behind it speaks plain ws://.");
            text.AppendLine($"    listen {tls} ssl;");
            text.AppendLine($"    ssl_certificate \"{proxy.CertFile}\";");
            text.AppendLine($"    ssl_certificate_key \"{proxy.KeyFile}\";");
        }
        if (proxy.ServerName is not null)
            text.AppendLine($"    server_name {proxy.ServerName};");
        else
            text.AppendLine("    # No server_name (--server-name): this server answers only where it is the default for its port.");
        text.AppendLine();
        text.AppendLine($"    location {proxy.PublicPath} {{");
        text.AppendLine($"        proxy_pass http://{backend.Authority}/;");
        text.AppendLine("        # WebSocket needs HTTP/1.1 to the backend; nginx speaks 1.0 there unless told.");
        text.AppendLine("        proxy_http_version 1.1;");
        text.AppendLine("        proxy_set_header Upgrade $http_upgrade;");
        text.AppendLine("        proxy_set_header Connection $ws_supervisor_connection;");
        text.AppendLine("        # The browser's Host reaches ws-supervisor (SERVER_NAME, HTTP_HOST, --sameorigin).");
        text.AppendLine("        proxy_set_header Host $http_host;");
        text.AppendLine("        # The browser's address and scheme: ws-supervisor believes these from");
        text.AppendLine($"        # {ConfigText.TrustedList(backend)} (--trusted-proxy); https sets HTTPS=on for the app.");
        text.AppendLine("        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;");
        text.AppendLine("        proxy_set_header X-Forwarded-Proto $scheme;");
        ConfigText.Comment(text, "        ",
            $"nginx cuts a tunnel after {timeout} without a byte from ws-supervisor (its default is 60s). {ConfigText.PingNote(backend, proxy)}");
        text.AppendLine($"        proxy_read_timeout {timeout};");
        text.AppendLine($"        proxy_send_timeout {timeout};");
        text.AppendLine("    }");
        text.AppendLine("}");
        return text.ToString();
    }
}
