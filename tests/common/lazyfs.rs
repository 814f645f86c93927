//! A file system that forgets, at a simulated power cut, everything that was
//! not made durable: the idea of Jepsen's LazyFS, in memory, over FUSE.
//!
//! The disk is a backing directory: mounting loads it, and everything
//! written through the mount stays in a volatile cache in memory. Every
//! file has two images there: what processes see now, and what is durable.
//! `fsync`/`fdatasync` of a file copies its current contents and size into
//! its durable image; `fsync` of a directory does the same for its entries
//! (create, rename, unlink). Nothing else makes anything durable: not
//! `write`, not `close`, not `sync_file_range` (which never reaches a FUSE
//! file system), not time passing. [`LazyFs::power_cut`] unmounts, throws
//! every current image away in favour of the durable one, writes what
//! survived to the backing directory (replacing it), and mounts again from
//! there, so the kernel's caches go too. What survives is exactly what a
//! strict POSIX disk must keep, and after a cut the backing directory can
//! be read directly, without this layer.
//!
//! Simplifications, none of which can hide a lost write: permissions and
//! times are not part of the volatile state; hard links, symlinks, device
//! files and extended attributes are refused (sockets and FIFOs are names
//! only, and are not written to the backing directory: a power cut
//! leaves no listening socket); file contents are kept in
//! 4 KiB pages shared between the two images until written (copy on write),
//! so an `fsync` copies a page table, not the data.
//!
//! Mounting needs `/dev/fuse` and `fusermount3` (Debian package `fuse3`,
//! installed by scripts/test.sh).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use fuser::{
    BackgroundSession, Config, Errno, FileAttr, FileHandle, FileType, Filesystem, FopenFlags,
    Generation, INodeNo, MountOption, OpenFlags, RenameFlags, ReplyAttr, ReplyCreate, ReplyData,
    ReplyDirectory, ReplyEmpty, ReplyEntry, ReplyStatfs, ReplyWrite, Request, WriteFlags,
};
use std::collections::{BTreeMap, HashMap};
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

const PAGE: u64 = 4096;
const TTL: Duration = Duration::from_secs(1);

/// A mounted lazy file system.
pub struct LazyFs {
    state: Arc<Mutex<State>>,
    mountpoint: PathBuf,
    backing: PathBuf,
    session: Option<BackgroundSession>,
}

/// What the file system has seen.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    /// `fsync`/`fdatasync` calls on files.
    pub file_syncs: u64,
    /// `fsync` calls on directories.
    pub dir_syncs: u64,
    /// Power cuts so far.
    pub cuts: u64,
    /// File pages (4 KiB) thrown away at cuts: written, never fsynced.
    pub pages_lost: u64,
    /// Directory entries whose creation, rename or removal was undone at cuts.
    pub entries_lost: u64,
}

impl LazyFs {
    /// Mounts on `mountpoint` (an existing, empty directory) the contents
    /// of `backing` (a directory of plain files and directories: the disk).
    pub fn mount(mountpoint: &Path, backing: &Path) -> std::io::Result<LazyFs> {
        let mut fs = LazyFs {
            state: Arc::new(Mutex::new(State::load(backing)?)),
            mountpoint: mountpoint.to_path_buf(),
            backing: backing.to_path_buf(),
            session: None,
        };
        fs.attach()?;
        Ok(fs)
    }

    /// A power cut: unmounts (every process using the mount must be gone),
    /// discards everything not made durable, writes what survived to the
    /// backing directory, and mounts that again.
    pub fn power_cut(&mut self) {
        self.detach();
        let mut st = self.lock();
        st.cut();
        st.save(&self.backing)
            .unwrap_or_else(|e| panic!("writing the backing directory: {e}"));
        let mut fresh = State::load(&self.backing)
            .unwrap_or_else(|e| panic!("reading the backing directory: {e}"));
        fresh.stats = st.stats;
        fresh.sync_delay = st.sync_delay;
        *st = fresh;
        drop(st);
        self.attach()
            .unwrap_or_else(|e| panic!("remounting after the power cut: {e}"));
    }

    /// The backing directory: what survived the last power cut.
    pub fn backing(&self) -> &Path {
        &self.backing
    }

    /// Makes every `fsync` take `delay` first, as a disk's cache flush
    /// does; requests wait meanwhile, as they would for one disk.
    pub fn set_sync_delay(&self, delay: Duration) {
        self.lock().sync_delay = delay;
    }

    pub fn stats(&self) -> Stats {
        self.lock().stats
    }

    pub fn path(&self) -> &Path {
        &self.mountpoint
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    fn attach(&mut self) -> std::io::Result<()> {
        let mut config = Config::default();
        config.mount_options = vec![
            MountOption::FSName("amanat-lazyfs".into()),
            MountOption::NoDev,
            MountOption::NoSuid,
            MountOption::NoExec,
        ];
        let fs = Mounted {
            state: self.state.clone(),
        };
        self.session = Some(fuser::spawn_mount(fs, &self.mountpoint, &config)?);
        Ok(())
    }

    fn detach(&mut self) {
        if let Some(session) = self.session.take() {
            let _ = session.umount_and_join();
        }
        // A process that just died may hold the mount a moment longer.
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while is_mounted(&self.mountpoint) {
            assert!(
                std::time::Instant::now() < deadline,
                "cannot unmount {}",
                self.mountpoint.display()
            );
            std::thread::sleep(Duration::from_millis(100));
            let _ = std::process::Command::new("fusermount3")
                .arg("-u")
                .arg(&self.mountpoint)
                .status();
        }
    }
}

impl Drop for LazyFs {
    fn drop(&mut self) {
        if let Some(s) = self.session.take() {
            let _ = s.umount_and_join();
        }
    }
}

fn is_mounted(at: &Path) -> bool {
    let Ok(mounts) = std::fs::read_to_string("/proc/self/mounts") else {
        return false;
    };
    // Never stat the mount point itself: a mount whose server is gone
    // would answer ENOTCONN, or not at all.
    let (Some(parent), Some(name)) = (at.parent(), at.file_name()) else {
        return false;
    };
    let Ok(parent) = parent.canonicalize() else {
        return false;
    };
    let at = parent.join(name).to_string_lossy().into_owned();
    mounts
        .lines()
        .any(|l| l.starts_with("amanat-lazyfs ") && l.split(' ').nth(1) == Some(at.as_str()))
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    match state.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

struct State {
    inodes: HashMap<u64, Inode>,
    next_ino: u64,
    stats: Stats,
    sync_delay: Duration,
}

struct Inode {
    body: Body,
    perm: u16,
    uid: u32,
    gid: u32,
    mtime: SystemTime,
}

enum Body {
    File {
        now: Data,
        durable: Data,
    },
    Dir {
        now: Entries,
        durable: Entries,
    },
    /// A socket or a FIFO: a name and nothing else (the server's control
    /// socket lives in the data dir).
    Node(FileType),
}

type Entries = BTreeMap<OsString, u64>;

/// File contents as pages; absent pages read as zeros.
#[derive(Clone, Default)]
struct Data {
    size: u64,
    pages: BTreeMap<u64, Arc<Vec<u8>>>,
}

impl Body {
    fn dir() -> Body {
        Body::Dir {
            now: Entries::new(),
            durable: Entries::new(),
        }
    }
    fn file() -> Body {
        Body::File {
            now: Data::default(),
            durable: Data::default(),
        }
    }
}

impl Inode {
    fn new(body: Body, perm: u16, uid: u32, gid: u32) -> Inode {
        Inode {
            body,
            perm,
            uid,
            gid,
            mtime: SystemTime::now(),
        }
    }

    fn attr(&self, ino: u64) -> FileAttr {
        let (kind, size, nlink) = match &self.body {
            Body::File { now, .. } => (FileType::RegularFile, now.size, 1),
            Body::Dir { now, .. } => (FileType::Directory, now.len() as u64, 2),
            Body::Node(kind) => (*kind, 0, 1),
        };
        FileAttr {
            ino: INodeNo(ino),
            size,
            blocks: size.div_ceil(512),
            atime: self.mtime,
            mtime: self.mtime,
            ctime: self.mtime,
            crtime: self.mtime,
            kind,
            perm: self.perm,
            nlink,
            uid: self.uid,
            gid: self.gid,
            rdev: 0,
            blksize: PAGE as u32,
            flags: 0,
        }
    }
}

impl Data {
    fn read(&self, offset: u64, len: u64) -> Vec<u8> {
        let end = self.size.min(offset.saturating_add(len));
        let mut out = Vec::with_capacity(end.saturating_sub(offset) as usize);
        let mut pos = offset;
        while pos < end {
            let (idx, within) = (pos / PAGE, pos % PAGE);
            let n = (PAGE - within).min(end - pos);
            match self.pages.get(&idx) {
                Some(p) => out.extend_from_slice(&p[within as usize..(within + n) as usize]),
                None => out.resize(out.len() + n as usize, 0),
            }
            pos += n;
        }
        out
    }

    fn write(&mut self, offset: u64, data: &[u8]) {
        let mut pos = offset;
        let mut rest = data;
        while !rest.is_empty() {
            let (idx, within) = (pos / PAGE, pos % PAGE);
            let n = ((PAGE - within) as usize).min(rest.len());
            let page = self
                .pages
                .entry(idx)
                .or_insert_with(|| Arc::new(vec![0; PAGE as usize]));
            Arc::make_mut(page)[within as usize..within as usize + n].copy_from_slice(&rest[..n]);
            rest = &rest[n..];
            pos += n as u64;
        }
        self.size = self.size.max(offset + data.len() as u64);
    }

    fn truncate(&mut self, size: u64) {
        if size < self.size {
            let keep = size.div_ceil(PAGE);
            self.pages.retain(|idx, _| *idx < keep);
            if size % PAGE != 0
                && let Some(p) = self.pages.get_mut(&(size / PAGE))
            {
                Arc::make_mut(p)[(size % PAGE) as usize..].fill(0);
            }
        }
        self.size = size;
    }

    /// Pages that differ from `other` (written since it was taken).
    fn pages_differing(&self, other: &Data) -> u64 {
        let changed = self
            .pages
            .iter()
            .filter(|(i, p)| other.pages.get(i).is_none_or(|q| !Arc::ptr_eq(p, q)))
            .count();
        let dropped = other
            .pages
            .keys()
            .filter(|i| !self.pages.contains_key(i))
            .count();
        (changed + dropped) as u64
    }
}

impl State {
    /// A file system whose current and durable images are both `backing`.
    fn load(backing: &Path) -> std::io::Result<State> {
        let mut st = State {
            inodes: HashMap::new(),
            next_ino: 2,
            stats: Stats::default(),
            sync_delay: Duration::ZERO,
        };
        st.load_dir(backing, INodeNo::ROOT.0)?;
        Ok(st)
    }

    fn load_dir(&mut self, dir: &Path, ino: u64) -> std::io::Result<()> {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(dir)?;
        let mut entries = Entries::new();
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let child = self.next_ino;
            self.next_ino += 1;
            let kind = entry.file_type()?;
            if kind.is_dir() {
                self.load_dir(&entry.path(), child)?;
            } else if kind.is_file() {
                let m = entry.metadata()?;
                let mut data = Data::default();
                data.write(0, &std::fs::read(entry.path())?);
                let body = Body::File {
                    now: data.clone(),
                    durable: data,
                };
                let perm = (m.mode() & 0o7777) as u16;
                self.inodes
                    .insert(child, Inode::new(body, perm, m.uid(), m.gid()));
            } else {
                continue;
            }
            entries.insert(entry.file_name(), child);
        }
        let body = Body::Dir {
            now: entries.clone(),
            durable: entries,
        };
        let perm = (meta.mode() & 0o7777) as u16;
        self.inodes
            .insert(ino, Inode::new(body, perm, meta.uid(), meta.gid()));
        Ok(())
    }

    /// Replaces the contents of `backing` with the durable image.
    fn save(&self, backing: &Path) -> std::io::Result<()> {
        for entry in std::fs::read_dir(backing)? {
            let path = entry?.path();
            if path.is_dir() {
                std::fs::remove_dir_all(path)?;
            } else {
                std::fs::remove_file(path)?;
            }
        }
        self.save_dir(INodeNo::ROOT.0, backing)
    }

    fn save_dir(&self, ino: u64, dir: &Path) -> std::io::Result<()> {
        use std::os::unix::fs::PermissionsExt;
        let Some(Body::Dir { durable, .. }) = self.inodes.get(&ino).map(|i| &i.body) else {
            return Ok(());
        };
        for (name, child) in durable {
            let Some(inode) = self.inodes.get(child) else {
                continue;
            };
            let path = dir.join(name);
            match &inode.body {
                Body::Dir { .. } => {
                    std::fs::create_dir(&path)?;
                    self.save_dir(*child, &path)?;
                }
                Body::File { durable, .. } => {
                    std::fs::write(&path, durable.read(0, durable.size))?;
                }
                Body::Node(_) => continue,
            }
            let perm = std::fs::Permissions::from_mode(u32::from(inode.perm));
            std::fs::set_permissions(&path, perm)?;
        }
        Ok(())
    }

    fn cut(&mut self) {
        let mut pages = 0;
        let mut entries = 0;
        for inode in self.inodes.values_mut() {
            match &mut inode.body {
                Body::File { now, durable } => {
                    pages += now.pages_differing(durable);
                    *now = durable.clone();
                }
                Body::Dir { now, durable } => {
                    entries += now
                        .iter()
                        .filter(|(k, v)| durable.get(*k) != Some(v))
                        .count() as u64
                        + durable.keys().filter(|k| !now.contains_key(*k)).count() as u64;
                    *now = durable.clone();
                }
                Body::Node(_) => {}
            }
        }
        self.stats.cuts += 1;
        self.stats.pages_lost += pages;
        self.stats.entries_lost += entries;
    }

    fn inode(&self, ino: INodeNo) -> Result<&Inode, Errno> {
        self.inodes.get(&ino.0).ok_or(Errno::ENOENT)
    }

    fn inode_mut(&mut self, ino: INodeNo) -> Result<&mut Inode, Errno> {
        self.inodes.get_mut(&ino.0).ok_or(Errno::ENOENT)
    }

    fn entries(&self, dir: INodeNo) -> Result<&Entries, Errno> {
        match &self.inode(dir)?.body {
            Body::Dir { now, .. } => Ok(now),
            _ => Err(Errno::ENOTDIR),
        }
    }

    fn entries_mut(&mut self, dir: INodeNo) -> Result<&mut Entries, Errno> {
        match &mut self.inode_mut(dir)?.body {
            Body::Dir { now, .. } => Ok(now),
            _ => Err(Errno::ENOTDIR),
        }
    }

    fn data_mut(&mut self, ino: INodeNo) -> Result<&mut Data, Errno> {
        let inode = self.inode_mut(ino)?;
        inode.mtime = SystemTime::now();
        match &mut inode.body {
            Body::File { now, .. } => Ok(now),
            Body::Dir { .. } => Err(Errno::EISDIR),
            Body::Node(_) => Err(Errno::EINVAL),
        }
    }

    fn lookup(&self, dir: INodeNo, name: &OsStr) -> Result<FileAttr, Errno> {
        let ino = *self.entries(dir)?.get(name).ok_or(Errno::ENOENT)?;
        Ok(self.inode(INodeNo(ino))?.attr(ino))
    }

    fn add(
        &mut self,
        req: &Request,
        dir: INodeNo,
        name: &OsStr,
        body: Body,
        mode: u32,
        umask: u32,
    ) -> Result<FileAttr, Errno> {
        if self.entries(dir)?.contains_key(name) {
            return Err(Errno::EEXIST);
        }
        let ino = self.next_ino;
        self.next_ino += 1;
        let perm = (mode & !umask & 0o7777) as u16;
        let inode = Inode::new(body, perm, req.uid(), req.gid());
        let attr = inode.attr(ino);
        self.inodes.insert(ino, inode);
        self.entries_mut(dir)?.insert(name.to_os_string(), ino);
        Ok(attr)
    }

    fn remove(&mut self, dir: INodeNo, name: &OsStr, want_dir: bool) -> Result<(), Errno> {
        let ino = *self.entries(dir)?.get(name).ok_or(Errno::ENOENT)?;
        match (&self.inode(INodeNo(ino))?.body, want_dir) {
            (Body::Dir { .. }, false) => return Err(Errno::EISDIR),
            (Body::File { .. } | Body::Node(_), true) => return Err(Errno::ENOTDIR),
            (Body::Dir { now, .. }, true) if !now.is_empty() => return Err(Errno::ENOTEMPTY),
            _ => {}
        }
        self.entries_mut(dir)?.remove(name);
        Ok(())
    }

    fn rename(
        &mut self,
        from: (INodeNo, &OsStr),
        to: (INodeNo, &OsStr),
        flags: RenameFlags,
    ) -> Result<(), Errno> {
        if flags.contains(RenameFlags::RENAME_EXCHANGE)
            || flags.contains(RenameFlags::RENAME_WHITEOUT)
        {
            return Err(Errno::EINVAL);
        }
        let ino = *self.entries(from.0)?.get(from.1).ok_or(Errno::ENOENT)?;
        if let Some(&old) = self.entries(to.0)?.get(to.1) {
            if flags.contains(RenameFlags::RENAME_NOREPLACE) {
                return Err(Errno::EEXIST);
            }
            let moving_dir = matches!(self.inode(INodeNo(ino))?.body, Body::Dir { .. });
            match &self.inode(INodeNo(old))?.body {
                Body::Dir { now, .. } if !now.is_empty() => return Err(Errno::ENOTEMPTY),
                Body::Dir { .. } if !moving_dir => return Err(Errno::EISDIR),
                Body::File { .. } | Body::Node(_) if moving_dir => return Err(Errno::ENOTDIR),
                _ => {}
            }
        }
        self.entries_mut(from.0)?.remove(from.1);
        self.entries_mut(to.0)?.insert(to.1.to_os_string(), ino);
        Ok(())
    }

    fn sync(&mut self, ino: INodeNo) -> Result<(), Errno> {
        match &mut self.inode_mut(ino)?.body {
            Body::File { now, durable } => {
                *durable = now.clone();
                self.stats.file_syncs += 1;
            }
            Body::Dir { now, durable } => {
                *durable = now.clone();
                self.stats.dir_syncs += 1;
            }
            Body::Node(_) => {}
        }
        Ok(())
    }
}

/// The file system as the kernel sees it; the state outlives each mount.
struct Mounted {
    state: Arc<Mutex<State>>,
}

macro_rules! answer {
    ($reply:expr, $result:expr, |$v:ident| $ok:expr) => {
        match $result {
            Ok($v) => $ok,
            Err(e) => $reply.error(e),
        }
    };
}

impl Filesystem for Mounted {
    fn lookup(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEntry) {
        let r = lock(&self.state).lookup(parent, name);
        answer!(reply, r, |a| reply.entry(&TTL, &a, Generation(0)));
    }

    fn getattr(&self, _req: &Request, ino: INodeNo, _fh: Option<FileHandle>, reply: ReplyAttr) {
        let r = lock(&self.state).inode(ino).map(|i| i.attr(ino.0));
        answer!(reply, r, |a| reply.attr(&TTL, &a));
    }

    fn setattr(
        &self,
        _req: &Request,
        ino: INodeNo,
        mode: Option<u32>,
        uid: Option<u32>,
        gid: Option<u32>,
        size: Option<u64>,
        _atime: Option<fuser::TimeOrNow>,
        _mtime: Option<fuser::TimeOrNow>,
        _ctime: Option<SystemTime>,
        _fh: Option<FileHandle>,
        _crtime: Option<SystemTime>,
        _chgtime: Option<SystemTime>,
        _bkuptime: Option<SystemTime>,
        _flags: Option<fuser::BsdFileFlags>,
        reply: ReplyAttr,
    ) {
        let mut st = lock(&self.state);
        let r = (|| {
            if let Some(size) = size {
                st.data_mut(ino)?.truncate(size);
            }
            let inode = st.inode_mut(ino)?;
            if let Some(mode) = mode {
                inode.perm = (mode & 0o7777) as u16;
            }
            if let Some(uid) = uid {
                inode.uid = uid;
            }
            if let Some(gid) = gid {
                inode.gid = gid;
            }
            Ok(inode.attr(ino.0))
        })();
        answer!(reply, r, |a| reply.attr(&TTL, &a));
    }

    fn mknod(
        &self,
        req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
        _rdev: u32,
        reply: ReplyEntry,
    ) {
        let body = match mode & S_IFMT {
            S_IFREG => Body::file(),
            S_IFSOCK => Body::Node(FileType::Socket),
            S_IFIFO => Body::Node(FileType::NamedPipe),
            _ => return reply.error(Errno::EPERM),
        };
        let r = lock(&self.state).add(req, parent, name, body, mode, umask);
        answer!(reply, r, |a| reply.entry(&TTL, &a, Generation(0)));
    }

    fn mkdir(
        &self,
        req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
        reply: ReplyEntry,
    ) {
        let r = lock(&self.state).add(req, parent, name, Body::dir(), mode, umask);
        answer!(reply, r, |a| reply.entry(&TTL, &a, Generation(0)));
    }

    fn unlink(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        let r = lock(&self.state).remove(parent, name, false);
        answer!(reply, r, |_v| reply.ok());
    }

    fn rmdir(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        let r = lock(&self.state).remove(parent, name, true);
        answer!(reply, r, |_v| reply.ok());
    }

    fn rename(
        &self,
        _req: &Request,
        parent: INodeNo,
        name: &OsStr,
        newparent: INodeNo,
        newname: &OsStr,
        flags: RenameFlags,
        reply: ReplyEmpty,
    ) {
        let r = lock(&self.state).rename((parent, name), (newparent, newname), flags);
        answer!(reply, r, |_v| reply.ok());
    }

    fn read(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        size: u32,
        _flags: OpenFlags,
        _lock_owner: Option<fuser::LockOwner>,
        reply: ReplyData,
    ) {
        let st = lock(&self.state);
        let r = st.inode(ino).and_then(|i| match &i.body {
            Body::File { now, .. } => Ok(now.read(offset, u64::from(size))),
            Body::Dir { .. } => Err(Errno::EISDIR),
            Body::Node(_) => Err(Errno::EINVAL),
        });
        answer!(reply, r, |d| reply.data(&d));
    }

    fn write(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        data: &[u8],
        _write_flags: WriteFlags,
        _flags: OpenFlags,
        _lock_owner: Option<fuser::LockOwner>,
        reply: ReplyWrite,
    ) {
        let r = lock(&self.state)
            .data_mut(ino)
            .map(|d| d.write(offset, data));
        answer!(reply, r, |_v| reply.written(data.len() as u32));
    }

    fn flush(
        &self,
        _req: &Request,
        _ino: INodeNo,
        _fh: FileHandle,
        _lock_owner: fuser::LockOwner,
        reply: ReplyEmpty,
    ) {
        // close(2) makes nothing durable.
        reply.ok();
    }

    fn fsync(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        _datasync: bool,
        reply: ReplyEmpty,
    ) {
        let delay = lock(&self.state).sync_delay;
        std::thread::sleep(delay);
        let r = lock(&self.state).sync(ino);
        answer!(reply, r, |_v| reply.ok());
    }

    fn readdir(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        mut reply: ReplyDirectory,
    ) {
        let st = lock(&self.state);
        let entries = match st.entries(ino) {
            Ok(e) => e,
            Err(e) => return reply.error(e),
        };
        let mut all = vec![
            (ino.0, FileType::Directory, OsString::from(".")),
            (ino.0, FileType::Directory, OsString::from("..")),
        ];
        for (name, child) in entries {
            let kind = match st.inodes.get(child).map(|i| &i.body) {
                Some(Body::Dir { .. }) => FileType::Directory,
                Some(Body::Node(kind)) => *kind,
                _ => FileType::RegularFile,
            };
            all.push((*child, kind, name.clone()));
        }
        for (i, (child, kind, name)) in all.into_iter().enumerate().skip(offset as usize) {
            if reply.add(INodeNo(child), i as u64 + 1, kind, &name) {
                break;
            }
        }
        reply.ok();
    }

    fn fsyncdir(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        _datasync: bool,
        reply: ReplyEmpty,
    ) {
        let delay = lock(&self.state).sync_delay;
        std::thread::sleep(delay);
        let r = lock(&self.state).sync(ino);
        answer!(reply, r, |_v| reply.ok());
    }

    fn statfs(&self, _req: &Request, _ino: INodeNo, reply: ReplyStatfs) {
        reply.statfs(
            1 << 24,
            1 << 23,
            1 << 23,
            1 << 20,
            1 << 19,
            PAGE as u32,
            255,
            PAGE as u32,
        );
    }

    fn access(&self, _req: &Request, _ino: INodeNo, _mask: fuser::AccessFlags, reply: ReplyEmpty) {
        reply.ok();
    }

    fn create(
        &self,
        req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
        _flags: i32,
        reply: ReplyCreate,
    ) {
        let r = lock(&self.state).add(req, parent, name, Body::file(), mode, umask);
        answer!(reply, r, |a| reply.created(
            &TTL,
            &a,
            Generation(0),
            FileHandle(0),
            FopenFlags::empty()
        ));
    }
}

// File type bits of a mode (<sys/stat.h>; no libc dependency for four numbers).
const S_IFMT: u32 = 0o170000;
const S_IFREG: u32 = 0o100000;
const S_IFSOCK: u32 = 0o140000;
const S_IFIFO: u32 = 0o010000;
