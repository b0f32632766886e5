"""Writers are not starved by a stream of readers (models/store/database.py turnstile): with readers always overlapping,
flock alone let a writer wait until DatabaseBusy; bench/load.py measured > 30 s with 5 viewers reloading."""
import threading
import time

from models.store.database import Database


def test_a_writer_gets_in_while_readers_overlap_without_pause(fresh_db):
    stop = threading.Event()
    reads = []

    def reader():
        db = Database(fresh_db.path)
        while not stop.is_set():
            db.query("SELECT count(*) FROM facts, (SELECT 1 FROM range(2000))")  # ~ms-long reads, back to back
            reads.append(1)

    threads = [threading.Thread(target=reader) for _ in range(6)]
    for th in threads:
        th.start()
    try:
        time.sleep(0.5)  # the readers are overlapping
        writer = Database(fresh_db.path, timeout=10)
        waited = []
        for _ in range(5):
            t = time.perf_counter()
            writer.write(lambda con: con.execute("CREATE TABLE IF NOT EXISTS fairness (x INT)"))
            waited.append(time.perf_counter() - t)
    finally:
        stop.set()
        for th in threads:
            th.join()
    assert len(reads) > 20  # the readers did run meanwhile
    assert max(waited) < 5, waited
