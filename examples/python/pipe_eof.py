# The reader never sees EOF: recv() raises EOFError only when every copy of the write end is
# closed, in every process. The parent keeps its own copy of `w` open, so after the child's
# last message the parent's recv() blocks forever instead of ending the loop.
# expect: deadlock
from multiprocessing import Pipe, Process


def producer(w):
    for i in range(3):
        w.send(i)
    w.close()


if __name__ == '__main__':
    r, w = Pipe(duplex=False)
    p = Process(target=producer, args=(w,))
    p.start()
    while True:
        try:
            item = r.recv()
        except EOFError:
            break
        print('got', item)
    p.join()
