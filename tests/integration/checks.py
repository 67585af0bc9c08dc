"""What the scan tests share: each check that fails is printed and counted, and the script ends
with one verdict (exit status 1 if any failed)."""

FAILURES = []


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL: " + message)
    return condition


def finish():
    if FAILURES:
        print("%d failures" % len(FAILURES))
        return 1
    print("OK")
    return 0
