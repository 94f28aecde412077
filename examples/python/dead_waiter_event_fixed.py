# The fix for dead_waiter_event.py: wake the waiter with set() and let it finish instead of
# terminating it.
# expect: ok
from multiprocessing import Event, Process


def waiter(ev):
    ev.wait()
    print('waiter: go')


if __name__ == '__main__':
    ev = Event()
    p = Process(target=waiter, args=(ev,))
    p.start()
    ev.set()
    p.join()
