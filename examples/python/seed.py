# A child puts a large item on a Queue; the parent joins the child before getting it.
# The child cannot exit until its queue feeder thread has written the item into the pipe,
# and a 1,000,000-character item does not fit: p.join() hangs forever.
from multiprocessing import Process, Queue


def child(q):
    q.put('X' * 1000000)


if __name__ == '__main__':
    q = Queue()
    p = Process(target=child, args=(q,))
    p.start()
    p.join()
    item = q.get()
