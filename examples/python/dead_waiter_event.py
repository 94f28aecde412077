# A dead waiter poisons an Event: a process killed inside ev.wait() has registered as a sleeper
# on the Event's Condition but will never wake up, so the next ev.set() waits forever for it,
# holding the Condition's lock. (The child may also die between taking and releasing that
# lock inside wait(), which abandons it: the same hang, reported as abandoned-lock too.)
# expect: deadlock, abandoned-lock
from multiprocessing import Event, Process


def waiter(ev):
    ev.wait()
    print('waiter: go')


if __name__ == '__main__':
    ev = Event()
    p = Process(target=waiter, args=(ev,))
    p.start()
    p.terminate()
    p.join()
    ev.set()
