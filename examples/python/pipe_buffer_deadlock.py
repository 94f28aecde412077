# Both ends of a duplex Pipe send a large message before receiving: each send blocks until the
# other side reads, and neither side ever reads. Every interleaving hangs.
# expect: deadlock
from multiprocessing import Pipe, Process


def child(conn):
    conn.send('C' * 1000000)
    reply = conn.recv()


if __name__ == '__main__':
    here, there = Pipe()
    p = Process(target=child, args=(there,))
    p.start()
    here.send('P' * 1000000)
    reply = here.recv()
    p.join()
