#!/bin/bash
# Auth example for --auth: ?token=user-ID (ID: letters, digits, _ -) is user ID; anything
# else is refused with "bad token" (a 403). A real one checks a session cookie (HTTP_COOKIE)
# or a signed token. Run: ws-supervisor --auth=worker-scripts/auth-token.sh worker-scripts/echo.sh
IFS='&' read -r -a params <<< "${QUERY_STRING:-}"
for param in "${params[@]}"; do
    if [[ "$param" =~ ^token=user-([A-Za-z0-9_-]{1,64})$ ]]; then
        printf '%s\n' "${BASH_REMATCH[1]}"
        exit 0
    fi
done
echo "bad token"
exit 1
