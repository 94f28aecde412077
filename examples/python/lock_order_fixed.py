# The fix for lock_order.py: every process takes the locks in the same order.
# expect: ok
from multiprocessing import Lock, Process


def auditor(accounts, audit):
    with accounts:
        with audit:
            print('auditor: checking balances')


if __name__ == '__main__':
    accounts = Lock()
    audit = Lock()
    p = Process(target=auditor, args=(accounts, audit))
    p.start()
    with accounts:
        with audit:
            print('parent: transferring money')
    p.join()
