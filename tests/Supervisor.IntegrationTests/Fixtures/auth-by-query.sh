#!/bin/sh
# Test fixture for --auth: behaves as the query string says, so one server can show
# every outcome of the auth contract. Not an example to copy: it trusts the client.
#   ?user=NAME   exit 0 printing NAME          → accepted as NAME
#   ?deny        exit 1 printing a reason      → 403 with that reason
#   ?noid        exit 0 printing nothing       → 503
#   ?crash       killed by SIGSEGV             → 503
#   ?spaced      exit 0 printing "has space"   → 503 (send user could not name it)
#   ?latin1      exit 0 printing "caf\351"     → 503 (not UTF-8)
#   ?chatty      exit 0 printing "erin", then 10000 more lines → accepted as erin
#   ?hang        never answers (a child holds stdout, as a careless script's would)
case "$QUERY_STRING" in
    user=*) echo "${QUERY_STRING#user=}"; exit 0 ;;
    deny) echo "no entry: you are on the list"; exit 1 ;;
    noid) exit 0 ;;
    crash) kill -SEGV $$ ;;
    spaced) echo "has space"; exit 0 ;;
    latin1) printf 'caf\351\n'; exit 0 ;;
    chatty) echo erin; i=0; while [ $i -lt 10000 ]; do echo "debug line $i"; i=$((i + 1)); done; exit 0 ;;
    hang) sleep 3600 & wait ;;
esac
echo "unknown query"
exit 1
