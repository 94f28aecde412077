# Lock-order inversion: the parent takes `accounts` then `audit`, the child takes `audit` then
# `accounts`. If each gets its first lock before the other's second, both wait forever.
# expect: deadlock
from multiprocessing import Lock, Process


def auditor(accounts, audit):
    with audit:
        with accounts:
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
