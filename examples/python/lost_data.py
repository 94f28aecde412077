# cancel_join_thread() loses data: it lets the child exit without waiting for its queue feeder,
# and the feeder dies with the process, so results still in the child's buffer are discarded.
# The parent then waits forever for a result that was never sent. (If the feeder dies between
# taking the queue's writer lock and releasing it, the lock is abandoned and the queue can no
# longer be written by anyone: abandoned-lock and broken-queue too.)
# expect: deadlock, abandoned-lock, broken-queue, lost-data
from multiprocessing import Process, Queue


def worker(results):
    results.cancel_join_thread()
    for i in range(3):
        results.put(i * i)


if __name__ == '__main__':
    results = Queue()
    p = Process(target=worker, args=(results,))
    p.start()
    p.join()
    for _ in range(3):
        print(results.get())
