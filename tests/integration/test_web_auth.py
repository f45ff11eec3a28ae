"""Signing in to the dashboard in Debian's headless chromium (tests/web/auth.mjs,
playwright-core): rigstream-web with WEB_READ_TOKEN and WEB_WRITE_TOKEN, a
published alert; the page must ask for a token, refuse a wrong one, read with
the read token, say clearly that acknowledging needs the write token, and
acknowledge once signed in with it. Skips (77) without chromium, node or npm.
"""
import os
import subprocess

import rigtest
from rigtest import check, Suite
from test_web_e2e import browser_tests
from webtest import Publisher, get_json, start_web

READ = "read-token-browser-000001"
WRITE = "write-token-browser-00001"


def main():
    args = rigtest.setup()
    work = browser_tests(args)

    suite = Suite()
    suite.start_broker()
    sim = suite.start("sim", "rigstream-sim", ["--wells", "1", "--rate", "2", "--seed", "3"])
    sim.wait_for(r"publishing", timeout=10)
    web, port = start_web(suite, extra_env={"WEB_READ_TOKEN": READ, "WEB_WRITE_TOKEN": WRITE})
    pub = Publisher(suite)
    pub.alert("A-01", 9101, "raised", message="Pit gain over the limit")
    env = dict(os.environ, RS_URL=f"http://127.0.0.1:{port}/", RS_PROFILE=os.path.join(args.tmp, "profile"),
               RS_READ=READ, RS_WRITE=WRITE, RS_ALERT_ID="9101")
    r = subprocess.run(["node", os.path.join(work, "auth.mjs")], cwd=work, env=env, capture_output=True, text=True,
                       timeout=120)
    print(r.stdout + r.stderr)
    check(r.returncode == 0, "auth.mjs passed in headless chromium")
    st, doc = get_json(port, "/api/auth")
    check(st == 200 and doc["read_auth"] and doc["write_auth"] and not doc["can_read"], f"/api/auth: {doc}")
    pub.close()
    suite.stop_all()
    print("PASS")


if __name__ == "__main__":
    main()
