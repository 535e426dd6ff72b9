//! The adapter body, written once and expanded for the blocking and the
//! async traits, so the two cannot drift apart. `$($aw)*` is empty for the
//! blocking expansion and `.await` for the async one.

macro_rules! websocket_adapter {
    ($(#[$doc:meta])* ; $($asyncness:ident)? ; $($aw:tt)*) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct WebSocket<T, R, W, M, I = (), C = ()> {
            transport: T,
            conn: Connection<R, M, I, C>,
            tx: W,
            /// Encoded bytes in `tx[pending.0..pending.1]` not yet written.
            pending: (usize, usize),
        }

        impl<T, R, W, M, I, C> WebSocket<T, R, W, M, I, C>
        where
            T: Read + Write,
            R: AsRef<[u8]> + AsMut<[u8]>,
            W: AsMut<[u8]>,
            M: MaskSource,
            I: RecvExtension,
            C: SendExtension,
        {
            /// Wrap a connection (open, or still connecting if the caller
            /// runs the handshake itself). `tx` must hold at least
            /// [`MAX_CONTROL_FRAME_LEN`] bytes; messages larger than it are
            /// sent as fragments.
            ///
            /// # Errors
            /// [`BufferTooSmall`] for a shorter `tx`.
            pub fn new(transport: T, conn: Connection<R, M, I, C>, mut tx: W) -> Result<Self, BufferTooSmall> {
                if tx.as_mut().len() < MAX_CONTROL_FRAME_LEN {
                    return Err(BufferTooSmall { needed: MAX_CONTROL_FRAME_LEN });
                }
                Ok(Self { transport, conn, tx, pending: (0, 0) })
            }

            /// The protocol state.
            pub const fn connection(&self) -> &Connection<R, M, I, C> {
                &self.conn
            }

            /// The protocol state, mutably.
            pub const fn connection_mut(&mut self) -> &mut Connection<R, M, I, C> {
                &mut self.conn
            }

            /// The transport.
            pub const fn transport_mut(&mut self) -> &mut T {
                &mut self.transport
            }

            /// The parts back. Bytes still pending in `tx` are dropped; call
            /// [`WebSocket::flush`] first.
            pub fn into_parts(self) -> (T, Connection<R, M, I, C>, W) {
                (self.transport, self.conn, self.tx)
            }

            /// Write `n` bytes just encoded at the front of `tx`.
            $($asyncness)? fn write_encoded(&mut self, n: usize) -> Result<(), Error<T::Error>> {
                self.pending = (0, n);
                write_pending(&mut self.transport, self.tx.as_mut(), &mut self.pending) $($aw)*
            }

            /// Read once from the transport into the receive buffer, for a
            /// caller that inspects the request head itself before
            /// [`WebSocket::accept`] (to serve plain HTTP on the same port,
            /// say): the bytes are in [`Connection::pending_input`].
            ///
            /// # Errors
            /// [`HandshakeError::HeadTooLarge`] when the buffer is full,
            /// [`Error::UnexpectedEof`], [`Error::Io`].
            pub $($asyncness)? fn fill(&mut self) -> Result<(), Error<T::Error>> {
                let space = self.conn.rx_buffer();
                if space.is_empty() {
                    return Err(Error::Handshake(HandshakeError::HeadTooLarge));
                }
                let n = self.transport.read(space) $($aw)* .map_err(Error::Io)?;
                if n == 0 {
                    return Err(Error::UnexpectedEof);
                }
                self.conn.handle_rx(n);
                Ok(())
            }

            /// Client: send the opening handshake `request` (RFC 6455 §4.1),
            /// read the answer and check it, and open the connection. Frames
            /// that arrived with the answer are kept. Returns the subprotocol
            /// the server chose, from the request's own list.
            ///
            /// # Errors
            /// [`Error::Handshake`] for a refused or malformed answer (a
            /// non-101 status is [`HandshakeError::Response`] carrying it),
            /// [`Error::UnexpectedEof`], [`Error::Io`].
            pub $($asyncness)? fn connect<'r>(
                &mut self,
                request: &handshake::ClientRequest<'r>,
            ) -> Result<Option<&'r str>, Error<T::Error>> {
                let n = request
                    .encode(self.tx.as_mut())
                    .map_err(|e| Error::Handshake(HandshakeError::Encode(e)))?;
                self.write_encoded(n) $($aw)* ?;
                self.transport.flush() $($aw)* .map_err(Error::Io)?;
                loop {
                    let step = match handshake::check_response(self.conn.pending_input(), request) {
                        Ok(Status::Complete(response)) => Some(Ok((response.finished(), response.protocol))),
                        Ok(Status::Partial { .. }) => None,
                        Err(e) => Some(Err(Error::Handshake(HandshakeError::Response(e)))),
                    };
                    match step {
                        Some(Ok((head, protocol))) => {
                            self.conn.finish_handshake(head);
                            return Ok(protocol);
                        }
                        Some(Err(e)) => return Err(e),
                        None => self.fill() $($aw)* ?,
                    }
                }
            }

            /// Server: read the client's request (RFC 6455 §4.2), let
            /// `answer` decide, write the 101 (or the refusal), and open the
            /// connection. A malformed request is answered with the status
            /// its [`RequestError`](handshake::RequestError) names (400, 405,
            /// 426 with `Sec-WebSocket-Version: 13`, 431). Frames the client
            /// sent right after its head are kept.
            ///
            /// # Errors
            /// [`Error::Handshake`] for a malformed or refused request (the
            /// HTTP answer has been written), [`Error::UnexpectedEof`], [`Error::Io`].
            pub $($asyncness)? fn accept<const N: usize>(
                &mut self,
                limits: &handshake::Limits,
                answer: impl FnOnce(&handshake::Request<'_, N>) -> Answer,
            ) -> Result<(), Error<T::Error>> {
                let mut answer = Some(answer);
                let outcome = loop {
                    let step = match handshake::parse_request::<N>(self.conn.pending_input(), limits) {
                        Ok(Status::Complete(request)) => {
                            let tx = self.tx.as_mut();
                            let decision = answer.take().map_or(Answer::Reject(500), |f| f(&request));
                            Some(match decision {
                                Answer::Accept(protocol) => {
                                    let acceptance = handshake::Acceptance::new().with_protocol(protocol);
                                    // permessage-deflate when the connection has memory for it.
                                    #[cfg(feature = "deflate")]
                                    let acceptance = acceptance.with_deflate(
                                        self.conn.deflate_capability().and_then(|cap| request.select_deflate(&cap)),
                                    );
                                    request
                                        .accept_with(&acceptance, tx)
                                        .map(|n| (n, Ok(request.finished_with(&acceptance))))
                                        .map_err(HandshakeError::Encode)
                                }
                                Answer::Reject(status) => handshake::reject(status, &[], tx)
                                    .map(|n| (n, Err(HandshakeError::Rejected(status))))
                                    .map_err(HandshakeError::Encode),
                            })
                        }
                        Ok(Status::Partial { .. }) => None,
                        Err(e) => Some(
                            e.encode_response(self.tx.as_mut())
                                .map(|n| (n, Err(HandshakeError::Request(e))))
                                .map_err(HandshakeError::Encode),
                        ),
                    };
                    match step {
                        Some(outcome) => break outcome,
                        None => self.fill() $($aw)* ?,
                    }
                };
                let (n, result) = outcome.map_err(Error::Handshake)?;
                self.write_encoded(n) $($aw)* ?;
                self.transport.flush() $($aw)* .map_err(Error::Io)?;
                let head = result.map_err(Error::Handshake)?;
                self.conn.finish_handshake(head);
                Ok(())
            }

            /// Write every frame the connection owes (and anything left
            /// from an interrupted call), then flush the transport.
            ///
            /// # Errors
            /// [`Error::Io`].
            pub $($asyncness)? fn flush(&mut self) -> Result<(), Error<T::Error>> {
                flush(&mut self.transport, &mut self.conn, self.tx.as_mut(), &mut self.pending) $($aw)*
            }

            /// Read until the next event: a message (or a chunk, in stream
            /// mode), a ping, a pong, or the peer's close. The pong or close
            /// echo an event calls for is written before it is returned.
            ///
            /// # Errors
            /// [`Error::Protocol`] when the peer broke the protocol (the
            /// Close with the right code has been written);
            /// [`Error::UnexpectedEof`] when the transport ends first;
            /// [`Error::Closed`] once the connection is closed; [`Error::Io`].
            pub $($asyncness)? fn read(&mut self) -> Result<Event<'_>, Error<T::Error>> {
                loop {
                    match self.conn.process() {
                        Ok(true) => break,
                        Ok(false) => {}
                        Err(e) => {
                            self.flush() $($aw)* ?;
                            return Err(Error::Protocol(e));
                        }
                    }
                    self.flush() $($aw)* ?;
                    if self.conn.is_closed() || self.conn.error().is_some() {
                        return Err(Error::Closed);
                    }
                    let space = self.conn.rx_buffer();
                    if space.is_empty() {
                        return Err(Error::Closed);
                    }
                    let n = self.transport.read(space) $($aw)* .map_err(Error::Io)?;
                    if n == 0 {
                        return Err(Error::UnexpectedEof);
                    }
                    self.conn.handle_rx(n);
                }
                self.flush() $($aw)* ?;
                match self.conn.poll_event() {
                    Ok(Some(event)) => Ok(event),
                    Ok(None) => Err(Error::Closed),
                    Err(e) => Err(Error::Protocol(e)),
                }
            }

            /// Send a text message (fragmented when it does not fit `tx`,
            /// or per [`Config::with_fragment_size`](crate::Config::with_fragment_size)).
            ///
            /// # Errors
            /// [`Error::Send`] (nothing written), [`Error::Io`].
            pub $($asyncness)? fn send_text(&mut self, text: &str) -> Result<(), Error<T::Error>> {
                self.send(MessageKind::Text, text.as_bytes()) $($aw)*
            }

            /// Send a binary message; see [`WebSocket::send_text`].
            ///
            /// # Errors
            /// [`Error::Send`] (nothing written), [`Error::Io`].
            pub $($asyncness)? fn send_binary(&mut self, data: &[u8]) -> Result<(), Error<T::Error>> {
                self.send(MessageKind::Binary, data) $($aw)*
            }

            /// Send a whole message of `kind` (text is UTF-8 checked), frame
            /// by frame through `tx` ([`Connection::encode_next`]), with the
            /// control frames the connection owes between them.
            ///
            /// # Errors
            /// [`Error::Send`] (nothing written), [`Error::Io`].
            pub $($asyncness)? fn send(&mut self, kind: MessageKind, payload: &[u8]) -> Result<(), Error<T::Error>> {
                send_message(&mut self.transport, &mut self.conn, self.tx.as_mut(), &mut self.pending, kind, payload) $($aw)*
            }

            /// Send one frame of a message sent in pieces; see
            /// [`Connection::encode_fragment`].
            ///
            /// # Errors
            /// [`Error::Send`] (nothing written), [`Error::Io`].
            pub $($asyncness)? fn send_fragment(
                &mut self,
                kind: MessageKind,
                payload: &[u8],
                fin: bool,
            ) -> Result<(), Error<T::Error>> {
                send_fragment(&mut self.transport, &mut self.conn, self.tx.as_mut(), &mut self.pending, kind, payload, fin) $($aw)*
            }

            /// Send a ping (at most 125 bytes).
            ///
            /// # Errors
            /// [`Error::Send`], [`Error::Io`].
            pub $($asyncness)? fn send_ping(&mut self, payload: &[u8]) -> Result<(), Error<T::Error>> {
                send_ping(&mut self.transport, &mut self.conn, self.tx.as_mut(), &mut self.pending, payload) $($aw)*
            }

            /// Start the closing handshake: send a Close with `code` and
            /// `reason`. Keep calling [`WebSocket::read`] until it returns the
            /// peer's [`Event::Close`] (then [`Error::Closed`]); then close
            /// the transport.
            ///
            /// # Errors
            /// [`Error::Send`] for a code that may not be sent or a second
            /// close; [`Error::Io`].
            pub $($asyncness)? fn close(&mut self, code: CloseCode, reason: &str) -> Result<(), Error<T::Error>> {
                close(&mut self.transport, &mut self.conn, self.tx.as_mut(), &mut self.pending, code, reason) $($aw)*
            }

            /// Advance the connection's timers to `now` and write any ping
            /// it owes.
            ///
            /// # Errors
            /// [`Error::Protocol`] with
            /// [`ProtocolError::KeepaliveTimeout`](crate::ProtocolError::KeepaliveTimeout)
            /// when the peer stopped answering (the Close 1011 has been
            /// written), or [`ProtocolError::CloseTimeout`](crate::ProtocolError::CloseTimeout)
            /// when it did not finish the closing handshake in time;
            /// [`Error::Io`].
            pub $($asyncness)? fn handle_timeout(&mut self, now: Instant) -> Result<(), Error<T::Error>> {
                handle_timeout(&mut self.transport, &mut self.conn, self.tx.as_mut(), &mut self.pending, now) $($aw)*
            }

            /// Split into a [`Reader`] over `reader` and a [`Writer`] over
            /// `writer`, the two halves of this adapter's transport (a
            /// `TcpStream` and its `try_clone`, tokio's `into_split`,
            /// embassy-net's `TcpSocket::split`), sharing `link`; see
            /// [`Connection::split`]. Bytes pending in `tx` stay with the
            /// writer. The transport `T` itself is handed back.
            #[allow(clippy::type_complexity, reason = "the three parts, each generic")]
            pub fn split<L, TR, TW>(self, link: L, reader: TR, writer: TW) -> (T, Reader<TR, R, L, fn(), I>, Writer<TW, W, M, L, C>)
            where
                L: Deref<Target = Link> + Clone,
                TR: Read,
            {
                let (receiver, sender) = self.conn.split(link);
                (
                    self.transport,
                    Reader::new(reader, receiver),
                    Writer { transport: writer, sender, tx: self.tx, pending: self.pending },
                )
            }
        }

        /// Write `tx[pending.0..pending.1]`, resuming an interrupted write.
        $($asyncness)? fn write_pending<T: Write>(
            transport: &mut T,
            tx: &[u8],
            pending: &mut (usize, usize),
        ) -> Result<(), Error<T::Error>> {
            while pending.0 < pending.1 {
                let bytes = tx.get(pending.0..pending.1).unwrap_or_default();
                let n = transport.write(bytes) $($aw)* .map_err(Error::Io)?;
                if n == 0 {
                    return Err(Error::UnexpectedEof);
                }
                pending.0 += n;
            }
            *pending = (0, 0);
            Ok(())
        }

        /// Write what is pending, then every frame `side` owes.
        $($asyncness)? fn write_owed<T: Write, S: SendSide>(
            transport: &mut T,
            side: &mut S,
            tx: &mut [u8],
            pending: &mut (usize, usize),
        ) -> Result<(), Error<T::Error>> {
            write_pending(transport, tx, pending) $($aw)* ?;
            while side.wants_transmit() {
                let n = side.poll_transmit(tx);
                if n == 0 {
                    break;
                }
                *pending = (0, n);
                write_pending(transport, tx, pending) $($aw)* ?;
            }
            Ok(())
        }

        /// Write owed frames, then flush the transport.
        $($asyncness)? fn flush<T: Write, S: SendSide>(
            transport: &mut T,
            side: &mut S,
            tx: &mut [u8],
            pending: &mut (usize, usize),
        ) -> Result<(), Error<T::Error>> {
            write_owed(transport, side, tx, pending) $($aw)* ?;
            transport.flush() $($aw)* .map_err(Error::Io)
        }

        /// The message loop: encode the next frames, write them, with owed
        /// control frames between; resumable after a drop (the side
        /// remembers how far the message got, `pending` what is unwritten).
        $($asyncness)? fn send_message<T: Write, S: SendSide>(
            transport: &mut T,
            side: &mut S,
            tx: &mut [u8],
            pending: &mut (usize, usize),
            kind: MessageKind,
            payload: &[u8],
        ) -> Result<(), Error<T::Error>> {
            loop {
                write_owed(transport, side, tx, pending) $($aw)* ?;
                let step = side.encode_next(kind, payload, tx)?;
                *pending = (0, step.len);
                write_pending(transport, tx, pending) $($aw)* ?;
                if step.done {
                    break;
                }
            }
            transport.flush() $($aw)* .map_err(Error::Io)
        }

        $($asyncness)? fn send_fragment<T: Write, S: SendSide>(
            transport: &mut T,
            side: &mut S,
            tx: &mut [u8],
            pending: &mut (usize, usize),
            kind: MessageKind,
            payload: &[u8],
            fin: bool,
        ) -> Result<(), Error<T::Error>> {
            write_owed(transport, side, tx, pending) $($aw)* ?;
            let n = side.encode_fragment(kind, payload, fin, tx)?;
            *pending = (0, n);
            write_pending(transport, tx, pending) $($aw)* ?;
            transport.flush() $($aw)* .map_err(Error::Io)
        }

        $($asyncness)? fn send_ping<T: Write, S: SendSide>(
            transport: &mut T,
            side: &mut S,
            tx: &mut [u8],
            pending: &mut (usize, usize),
            payload: &[u8],
        ) -> Result<(), Error<T::Error>> {
            write_owed(transport, side, tx, pending) $($aw)* ?;
            let n = side.encode_ping(payload, tx)?;
            *pending = (0, n);
            write_pending(transport, tx, pending) $($aw)* ?;
            transport.flush() $($aw)* .map_err(Error::Io)
        }

        $($asyncness)? fn close<T: Write, S: SendSide>(
            transport: &mut T,
            side: &mut S,
            tx: &mut [u8],
            pending: &mut (usize, usize),
            code: CloseCode,
            reason: &str,
        ) -> Result<(), Error<T::Error>> {
            side.close(code, reason)?;
            flush(transport, side, tx, pending) $($aw)*
        }

        $($asyncness)? fn handle_timeout<T: Write, S: SendSide>(
            transport: &mut T,
            side: &mut S,
            tx: &mut [u8],
            pending: &mut (usize, usize),
            now: Instant,
        ) -> Result<(), Error<T::Error>> {
            side.handle_timeout(now);
            flush(transport, side, tx, pending) $($aw)* ?;
            match side.timeout_error() {
                Some(e) => Err(Error::Protocol(e)),
                None => Ok(()),
            }
        }

        /// The receiving half of a split [`WebSocket`]: reads and returns
        /// events; what the peer is owed in reply (a pong, a Close echo,
        /// the Close of a failure) is left in the link for the [`Writer`],
        /// and the wake-up given to [`Reader::on_owed`] is called so an
        /// idle writer sends it promptly.
        pub struct Reader<T, R, L, N = fn(), I = ()> {
            transport: T,
            receiver: Receiver<R, L, I>,
            wake: N,
        }

        impl<T, R, L, N, I> core::fmt::Debug for Reader<T, R, L, N, I> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_struct("Reader").finish_non_exhaustive()
            }
        }

        impl<T, R, L, I> Reader<T, R, L, fn(), I>
        where
            T: Read,
            R: AsRef<[u8]> + AsMut<[u8]>,
            L: Deref<Target = Link>,
            I: RecvExtension,
        {
            /// A reader over a transport's read half and a [`Receiver`].
            pub fn new(transport: T, receiver: Receiver<R, L, I>) -> Self {
                fn nothing() {}
                Self { transport, receiver, wake: nothing }
            }
        }

        impl<T, R, L, N, I> Reader<T, R, L, N, I>
        where
            T: Read,
            R: AsRef<[u8]> + AsMut<[u8]>,
            L: Deref<Target = Link>,
            N: FnMut(),
            I: RecvExtension,
        {
            /// Call `wake` whenever this half leaves the writer something
            /// to send (notify its task, signal a condition variable, post
            /// to its queue), so that an idle writer answers promptly with
            /// [`Writer::flush`].
            #[must_use]
            pub fn on_owed<N2: FnMut()>(self, wake: N2) -> Reader<T, R, L, N2, I> {
                Reader { transport: self.transport, receiver: self.receiver, wake }
            }

            /// The receiving half.
            pub const fn receiver(&self) -> &Receiver<R, L, I> {
                &self.receiver
            }

            /// The parts back.
            pub fn into_parts(self) -> (T, Receiver<R, L, I>) {
                (self.transport, self.receiver)
            }

            fn owed(&mut self) {
                if self.receiver.wants_transmit() {
                    (self.wake)();
                }
            }

            /// Read until the next event, as [`WebSocket::read`]; the
            /// frames it calls for are the writer's to send.
            ///
            /// # Errors
            /// [`Error::Protocol`] when the peer broke the protocol (the
            /// writer owes the Close), [`Error::UnexpectedEof`],
            /// [`Error::Closed`] once nothing more will arrive, [`Error::Io`].
            pub $($asyncness)? fn read(&mut self) -> Result<Event<'_>, Error<T::Error>> {
                loop {
                    let ready = self.receiver.process();
                    self.owed();
                    match ready {
                        Ok(true) => break,
                        Ok(false) => {}
                        Err(e) => return Err(Error::Protocol(e)),
                    }
                    if self.receiver.is_done() {
                        return Err(Error::Closed);
                    }
                    let space = self.receiver.rx_buffer();
                    if space.is_empty() {
                        return Err(Error::Closed);
                    }
                    let n = self.transport.read(space) $($aw)* .map_err(Error::Io)?;
                    if n == 0 {
                        return Err(Error::UnexpectedEof);
                    }
                    self.receiver.handle_rx(n);
                }
                match self.receiver.poll_event() {
                    Ok(Some(event)) => Ok(event),
                    Ok(None) => Err(Error::Closed),
                    Err(e) => Err(Error::Protocol(e)),
                }
            }
        }

        /// The sending half of a split [`WebSocket`]: the sending methods
        /// of [`WebSocket`] over a [`Sender`]. Each call first writes what
        /// the connection owes (what the [`Reader`] recorded), so call
        /// [`Writer::flush`] when the reader wakes you.
        pub struct Writer<T, W, M, L, C = ()> {
            transport: T,
            sender: Sender<M, L, C>,
            tx: W,
            pending: (usize, usize),
        }

        impl<T, W, M, L, C> core::fmt::Debug for Writer<T, W, M, L, C> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_struct("Writer").field("pending", &self.pending).finish_non_exhaustive()
            }
        }

        impl<T, W, M, L, C> Writer<T, W, M, L, C>
        where
            T: Write,
            W: AsMut<[u8]>,
            M: MaskSource,
            L: Deref<Target = Link>,
            C: SendExtension,
        {
            /// A writer over a transport's write half, a [`Sender`] and a
            /// transmit buffer of at least [`MAX_CONTROL_FRAME_LEN`] bytes.
            ///
            /// # Errors
            /// [`BufferTooSmall`] for a shorter `tx`.
            pub fn new(transport: T, sender: Sender<M, L, C>, mut tx: W) -> Result<Self, BufferTooSmall> {
                if tx.as_mut().len() < MAX_CONTROL_FRAME_LEN {
                    return Err(BufferTooSmall { needed: MAX_CONTROL_FRAME_LEN });
                }
                Ok(Self { transport, sender, tx, pending: (0, 0) })
            }

            /// The sending half.
            pub const fn sender(&self) -> &Sender<M, L, C> {
                &self.sender
            }

            /// The transport's write half.
            pub const fn transport_mut(&mut self) -> &mut T {
                &mut self.transport
            }

            /// The parts back; call [`Writer::flush`] first.
            pub fn into_parts(self) -> (T, Sender<M, L, C>, W) {
                (self.transport, self.sender, self.tx)
            }

            /// As [`WebSocket::flush`].
            ///
            /// # Errors
            /// [`Error::Io`].
            pub $($asyncness)? fn flush(&mut self) -> Result<(), Error<T::Error>> {
                flush(&mut self.transport, &mut self.sender, self.tx.as_mut(), &mut self.pending) $($aw)*
            }

            /// As [`WebSocket::send_text`].
            ///
            /// # Errors
            /// [`Error::Send`] (nothing written), [`Error::Io`].
            pub $($asyncness)? fn send_text(&mut self, text: &str) -> Result<(), Error<T::Error>> {
                self.send(MessageKind::Text, text.as_bytes()) $($aw)*
            }

            /// As [`WebSocket::send_binary`].
            ///
            /// # Errors
            /// [`Error::Send`] (nothing written), [`Error::Io`].
            pub $($asyncness)? fn send_binary(&mut self, data: &[u8]) -> Result<(), Error<T::Error>> {
                self.send(MessageKind::Binary, data) $($aw)*
            }

            /// As [`WebSocket::send`].
            ///
            /// # Errors
            /// [`Error::Send`] (nothing written), [`Error::Io`].
            pub $($asyncness)? fn send(&mut self, kind: MessageKind, payload: &[u8]) -> Result<(), Error<T::Error>> {
                send_message(&mut self.transport, &mut self.sender, self.tx.as_mut(), &mut self.pending, kind, payload) $($aw)*
            }

            /// As [`WebSocket::send_fragment`].
            ///
            /// # Errors
            /// [`Error::Send`] (nothing written), [`Error::Io`].
            pub $($asyncness)? fn send_fragment(&mut self, kind: MessageKind, payload: &[u8], fin: bool) -> Result<(), Error<T::Error>> {
                send_fragment(&mut self.transport, &mut self.sender, self.tx.as_mut(), &mut self.pending, kind, payload, fin) $($aw)*
            }

            /// As [`WebSocket::send_ping`].
            ///
            /// # Errors
            /// [`Error::Send`], [`Error::Io`].
            pub $($asyncness)? fn send_ping(&mut self, payload: &[u8]) -> Result<(), Error<T::Error>> {
                send_ping(&mut self.transport, &mut self.sender, self.tx.as_mut(), &mut self.pending, payload) $($aw)*
            }

            /// As [`WebSocket::close`].
            ///
            /// # Errors
            /// [`Error::Send`], [`Error::Io`].
            pub $($asyncness)? fn close(&mut self, code: CloseCode, reason: &str) -> Result<(), Error<T::Error>> {
                close(&mut self.transport, &mut self.sender, self.tx.as_mut(), &mut self.pending, code, reason) $($aw)*
            }

            /// As [`WebSocket::handle_timeout`]: keepalive and the close
            /// timeout run on this half.
            ///
            /// # Errors
            /// As [`WebSocket::handle_timeout`].
            pub $($asyncness)? fn handle_timeout(&mut self, now: Instant) -> Result<(), Error<T::Error>> {
                handle_timeout(&mut self.transport, &mut self.sender, self.tx.as_mut(), &mut self.pending, now) $($aw)*
            }
        }
    };
}

pub(crate) use websocket_adapter;
