"""A stream as one file of a set saw it (a piece), and how pieces of one connection are found in
consecutive files: a piece that was still open when its file ended continues in a later file
where the same two endpoints appear without a handshake."""

# A connection closed this close to its file's end may still have late segments (a RST answering
# a FIN, a retransmitted FIN) in the next file.
LATE_SEGMENTS_S = 60.0
# A client resends an unanswered SYN for this long (Linux: 6 retries, 127 s; Windows: 21 s): a SYN
# this soon after its file began may carry on a handshake begun in the file before.
SYN_RETRIES_S = 130.0


class Piece:
    __slots__ = ("file_index", "row", "chain")

    def __init__(self, file_index, row):
        self.file_index = file_index
        self.row = row
        self.chain = None

    @property
    def pair(self):
        """The two endpoints, in either order: a piece caught mid-stream may have its roles swapped."""
        return (self.row["transport"],) + tuple(sorted((self.row["client"], self.row["server"])))

    @property
    def stream(self):
        return int(self.row["stream"])

    def ended(self):
        history = self.row["history"]
        return "R" in history or "r" in history or ("F" in history and "f" in history)

    def opens_connection(self):
        """It holds the client's SYN: a connection of its own, unless the one before it on the
        same endpoints never got past its handshake (the SYN is resent into the next file)."""
        return "S" in self.row["history"]

    def unanswered_handshake(self):
        """Only the client's SYN and its retransmissions so far (history S, T), perhaps with ICMP
        errors (I; they do not stop the client's retries), nothing from the server: a later SYN
        on the same endpoints is the same attempt resent, as Wireshark numbers its streams."""
        history = self.row["history"]
        return history.startswith("S") and set(history) <= {"S", "T", "I"}

    def may_continue(self, file_end):
        """It may go on in a later file: open at its file's end, or closed just before it."""
        if not self.ended():
            return True
        return file_end is not None and float(self.row["end_time"]) >= file_end - LATE_SEGMENTS_S


def may_join_others(row, file_start, file_end):
    """Whether a stream of a file may be one piece of a connection that spans files: its frames
    are kept until the set's connections are known."""
    piece = Piece(0, row)
    if piece.may_continue(file_end) or not piece.opens_connection():
        return True
    return file_start is not None and float(row["start_time"]) <= file_start + SYN_RETRIES_S


class Chainer:
    """Links the pieces of consecutive files, given one file at a time in time order, into chains,
    one per connection: lists of pieces in file order."""

    def __init__(self):
        self.open_by_pair = {}  # pair -> the chain whose latest piece may continue
        self.files = 0

    def add_file(self, rows, file_end):
        """The chains the file's rows start or carry on, in the rows' order (a chain once)."""
        index, touched = self.files, []
        self.files += 1
        for row in rows:
            piece = Piece(index, row)
            previous = self.open_by_pair.get(piece.pair)
            continues = previous is not None and previous[-1].file_index < index and (
                not piece.opens_connection() or previous[-1].unanswered_handshake())
            if continues:
                piece.chain = previous
                previous.append(piece)
            else:
                piece.chain = [piece]
            touched.append(piece.chain)
            if piece.may_continue(file_end):
                self.open_by_pair[piece.pair] = piece.chain
            elif self.open_by_pair.get(piece.pair) is piece.chain:
                del self.open_by_pair[piece.pair]
        return touched

    def is_open(self, chain):
        return self.open_by_pair.get(chain[0].pair) is chain

    def close(self, chain):
        """The chain is judged: a later piece on its endpoints starts a chain of its own."""
        if self.is_open(chain):
            del self.open_by_pair[chain[0].pair]


def chain_pieces(files):
    """The chains of a whole set (each file a (rows, file_end) pair, in time order)."""
    chainer, chains = Chainer(), []
    for index, (rows, file_end) in enumerate(files):
        chains.extend(c for c in chainer.add_file(rows, file_end) if c[0].file_index == index)
    return chains


def needs_stitching(chain, last_file_index):
    """Its verdict from its own file is not the set's: it spans files, or it was still open when a
    file other than the last ended (the set's later end may change what its silence means)."""
    return len(chain) > 1 or (chain[-1].file_index != last_file_index and not chain[-1].ended())
