//! A file system that loses power: a FUSE file system in memory that keeps, for every file,
//! the contents it had at its last `fsync` and, for every directory, the entries it had at
//! its last `fsync` of the directory. [`LazyFs::power_cut`] unmounts it, throws away
//! everything written since (file data, created, renamed and removed names alike) and
//! mounts what was durable again, so the next process finds the disk as a power failure
//! would leave it under POSIX's rules (`fsync(2)`: the directory entry of a file needs an
//! `fsync` of the directory too).
//!
//! This is the "keep only what was synced" model of LazyFS, with nothing reordered or torn:
//! it checks that a program syncs what it promises to keep, not how the disk fails.
//! Mounting needs `/dev/fuse` and root (the direct `mount(2)` path, no `fusermount3`).

use std::collections::BTreeMap;
use std::ffi::{CString, OsStr, OsString};
use std::io;
use std::os::unix::ffi::OsStrExt as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use fuser::{
    BackgroundSession, Config, Errno, FileAttr, FileHandle, FileType, Filesystem, FopenFlags,
    Generation, INodeNo, LockOwner, MountOption, OpenFlags, RenameFlags, ReplyAttr, ReplyCreate,
    ReplyData, ReplyDirectory, ReplyEmpty, ReplyEntry, ReplyOpen, ReplyWrite, Request, TimeOrNow,
    WriteFlags,
};

/// What was synced and what was not, per inode.
#[derive(Debug, Default, Clone)]
struct Node {
    dir: bool,
    perm: u16,
    /// File contents as the running system sees them.
    data: Vec<u8>,
    /// File contents at the last `fsync`.
    synced_data: Vec<u8>,
    /// Directory entries as the running system sees them.
    entries: BTreeMap<OsString, u64>,
    /// Directory entries at the last `fsync` of the directory.
    synced_entries: BTreeMap<OsString, u64>,
    mtime: Option<SystemTime>,
}

/// Counts of what the programs on the file system asked for, and what a cut dropped.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// `fsync`/`fdatasync` calls on files.
    pub file_syncs: u64,
    /// `fsync` calls on directories.
    pub dir_syncs: u64,
    /// Bytes written.
    pub bytes_written: u64,
    /// Power cuts so far.
    pub power_cuts: u64,
    /// Files whose unsynced contents the cuts dropped.
    pub files_rolled_back: u64,
    /// Directories whose unsynced entries the cuts dropped.
    pub dirs_rolled_back: u64,
}

#[derive(Debug)]
struct State {
    nodes: BTreeMap<u64, Node>,
    next_ino: u64,
    stats: Stats,
}

impl State {
    fn new() -> Self {
        let root = Node {
            dir: true,
            perm: 0o755,
            ..Node::default()
        };
        Self {
            nodes: BTreeMap::from([(INodeNo::ROOT.0, root)]),
            next_ino: INodeNo::ROOT.0 + 1,
            stats: Stats::default(),
        }
    }

    /// The power fails: every node goes back to what was synced.
    fn cut(&mut self) {
        for node in self.nodes.values_mut() {
            if node.dir {
                if node.entries != node.synced_entries {
                    self.stats.dirs_rolled_back += 1;
                    node.entries = node.synced_entries.clone();
                }
            } else if node.data != node.synced_data {
                self.stats.files_rolled_back += 1;
                node.data = node.synced_data.clone();
            }
        }
        self.stats.power_cuts += 1;
    }

    fn attr(&self, ino: u64) -> Option<FileAttr> {
        let node = self.nodes.get(&ino)?;
        let time = node.mtime.unwrap_or(SystemTime::UNIX_EPOCH);
        let size = if node.dir { 0 } else { node.data.len() as u64 };
        Some(FileAttr {
            ino: INodeNo(ino),
            size,
            blocks: size.div_ceil(512),
            atime: time,
            mtime: time,
            ctime: time,
            crtime: time,
            kind: if node.dir {
                FileType::Directory
            } else {
                FileType::RegularFile
            },
            perm: node.perm,
            nlink: if node.dir { 2 } else { 1 },
            uid: owner().0,
            gid: owner().1,
            rdev: 0,
            blksize: 4096,
            flags: 0,
        })
    }

    fn child(&self, parent: u64, name: &OsStr) -> Result<u64, Errno> {
        let dir = self.nodes.get(&parent).ok_or(Errno::ENOENT)?;
        if !dir.dir {
            return Err(Errno::ENOTDIR);
        }
        dir.entries.get(name).copied().ok_or(Errno::ENOENT)
    }

    fn add(&mut self, parent: u64, name: &OsStr, dir: bool, perm: u16) -> Result<u64, Errno> {
        let node = self.nodes.get(&parent).ok_or(Errno::ENOENT)?;
        if !node.dir {
            return Err(Errno::ENOTDIR);
        }
        if node.entries.contains_key(name) {
            return Err(Errno::EEXIST);
        }
        let ino = self.next_ino;
        self.next_ino += 1;
        self.nodes.insert(
            ino,
            Node {
                dir,
                perm,
                mtime: Some(SystemTime::now()),
                ..Node::default()
            },
        );
        if let Some(parent) = self.nodes.get_mut(&parent) {
            parent.entries.insert(name.to_os_string(), ino);
        }
        Ok(ino)
    }
}

/// The files belong to whoever runs the tests.
fn owner() -> (u32, u32) {
    // SAFETY: getuid and getgid have no preconditions and cannot fail.
    unsafe { (libc::getuid(), libc::getgid()) }
}

const TTL: Duration = Duration::from_secs(1);

/// The FUSE side: requests from the kernel, answered from the shared state.
struct Fs {
    state: Arc<Mutex<State>>,
}

impl Fs {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn reply_entry(&self, state: &State, ino: u64, reply: ReplyEntry) {
        match state.attr(ino) {
            Some(attr) => reply.entry(&TTL, &attr, Generation(0)),
            None => reply.error(Errno::ENOENT),
        }
    }
}

impl Filesystem for Fs {
    fn lookup(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEntry) {
        let state = self.state();
        match state.child(parent.0, name) {
            Ok(ino) => self.reply_entry(&state, ino, reply),
            Err(e) => reply.error(e),
        }
    }

    fn getattr(&self, _req: &Request, ino: INodeNo, _fh: Option<FileHandle>, reply: ReplyAttr) {
        match self.state().attr(ino.0) {
            Some(attr) => reply.attr(&TTL, &attr),
            None => reply.error(Errno::ENOENT),
        }
    }

    fn setattr(
        &self,
        _req: &Request,
        ino: INodeNo,
        mode: Option<u32>,
        _uid: Option<u32>,
        _gid: Option<u32>,
        size: Option<u64>,
        _atime: Option<TimeOrNow>,
        mtime: Option<TimeOrNow>,
        _ctime: Option<SystemTime>,
        _fh: Option<FileHandle>,
        _crtime: Option<SystemTime>,
        _chgtime: Option<SystemTime>,
        _bkuptime: Option<SystemTime>,
        _flags: Option<fuser::BsdFileFlags>,
        reply: ReplyAttr,
    ) {
        let mut state = self.state();
        let Some(node) = state.nodes.get_mut(&ino.0) else {
            return reply.error(Errno::ENOENT);
        };
        if let Some(mode) = mode {
            node.perm = (mode & 0o7777) as u16;
        }
        if let Some(size) = size {
            if node.dir {
                return reply.error(Errno::EISDIR);
            }
            let Ok(size) = usize::try_from(size) else {
                return reply.error(Errno::EFBIG);
            };
            node.data.resize(size, 0);
            node.mtime = Some(SystemTime::now());
        }
        if let Some(t) = mtime {
            node.mtime = Some(match t {
                TimeOrNow::SpecificTime(t) => t,
                TimeOrNow::Now => SystemTime::now(),
            });
        }
        match state.attr(ino.0) {
            Some(attr) => reply.attr(&TTL, &attr),
            None => reply.error(Errno::ENOENT),
        }
    }

    fn mknod(
        &self,
        _req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
        _rdev: u32,
        reply: ReplyEntry,
    ) {
        if mode & libc::S_IFMT != libc::S_IFREG {
            return reply.error(Errno::EPERM);
        }
        let mut state = self.state();
        match state.add(parent.0, name, false, (mode & !umask & 0o7777) as u16) {
            Ok(ino) => self.reply_entry(&state, ino, reply),
            Err(e) => reply.error(e),
        }
    }

    fn mkdir(
        &self,
        _req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
        reply: ReplyEntry,
    ) {
        let mut state = self.state();
        match state.add(parent.0, name, true, (mode & !umask & 0o7777) as u16) {
            Ok(ino) => self.reply_entry(&state, ino, reply),
            Err(e) => reply.error(e),
        }
    }

    fn unlink(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        let mut state = self.state();
        match state.child(parent.0, name) {
            Ok(ino) if state.nodes.get(&ino).is_some_and(|n| n.dir) => reply.error(Errno::EISDIR),
            Ok(_) => {
                if let Some(dir) = state.nodes.get_mut(&parent.0) {
                    dir.entries.remove(name);
                }
                reply.ok();
            }
            Err(e) => reply.error(e),
        }
    }

    /// A second name for a file (how programs create a file whole: write a temporary, link
    /// it to its name, remove the temporary). The new entry, like any, is durable only once
    /// its folder is synced.
    fn link(
        &self,
        _req: &Request,
        ino: INodeNo,
        newparent: INodeNo,
        newname: &OsStr,
        reply: ReplyEntry,
    ) {
        let mut state = self.state();
        match state.nodes.get(&ino.0) {
            None => return reply.error(Errno::ENOENT),
            Some(node) if node.dir => return reply.error(Errno::EPERM),
            Some(_) => {}
        }
        match state.child(newparent.0, newname) {
            Ok(_) => return reply.error(Errno::EEXIST),
            Err(Errno::ENOENT) => {}
            Err(e) => return reply.error(e),
        }
        match state.nodes.get_mut(&newparent.0) {
            Some(dir) => {
                dir.entries.insert(newname.to_os_string(), ino.0);
                self.reply_entry(&state, ino.0, reply);
            }
            None => reply.error(Errno::ENOENT),
        }
    }

    fn rmdir(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        let mut state = self.state();
        match state.child(parent.0, name) {
            Ok(ino) => match state.nodes.get(&ino) {
                Some(node) if !node.dir => reply.error(Errno::ENOTDIR),
                Some(node) if !node.entries.is_empty() => reply.error(Errno::ENOTEMPTY),
                _ => {
                    if let Some(dir) = state.nodes.get_mut(&parent.0) {
                        dir.entries.remove(name);
                    }
                    reply.ok();
                }
            },
            Err(e) => reply.error(e),
        }
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
        let mut state = self.state();
        let ino = match state.child(parent.0, name) {
            Ok(ino) => ino,
            Err(e) => return reply.error(e),
        };
        if flags.contains(RenameFlags::RENAME_EXCHANGE) {
            return reply.error(Errno::EINVAL);
        }
        match state.child(newparent.0, newname) {
            Ok(_) if flags.contains(RenameFlags::RENAME_NOREPLACE) => {
                return reply.error(Errno::EEXIST);
            }
            Ok(target) if state.nodes.get(&target).is_some_and(|n| n.dir) => {
                if state.nodes.get(&ino).is_some_and(|n| !n.dir) {
                    return reply.error(Errno::EISDIR);
                }
                if state
                    .nodes
                    .get(&target)
                    .is_some_and(|n| !n.entries.is_empty())
                {
                    return reply.error(Errno::ENOTEMPTY);
                }
            }
            Ok(_) | Err(Errno::ENOENT) => {}
            Err(e) => return reply.error(e),
        }
        if let Some(dir) = state.nodes.get_mut(&parent.0) {
            dir.entries.remove(name);
        }
        match state.nodes.get_mut(&newparent.0) {
            Some(dir) => {
                dir.entries.insert(newname.to_os_string(), ino);
                reply.ok();
            }
            None => reply.error(Errno::ENOENT),
        }
    }

    fn open(&self, _req: &Request, ino: INodeNo, _flags: OpenFlags, reply: ReplyOpen) {
        if self.state().nodes.contains_key(&ino.0) {
            reply.opened(FileHandle(0), FopenFlags::empty());
        } else {
            reply.error(Errno::ENOENT);
        }
    }

    fn read(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        size: u32,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyData,
    ) {
        let state = self.state();
        let Some(node) = state.nodes.get(&ino.0) else {
            return reply.error(Errno::ENOENT);
        };
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(node.data.len());
        let end = start.saturating_add(size as usize).min(node.data.len());
        reply.data(&node.data[start..end]);
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
        _lock_owner: Option<LockOwner>,
        reply: ReplyWrite,
    ) {
        let mut state = self.state();
        let Some(node) = state.nodes.get_mut(&ino.0) else {
            return reply.error(Errno::ENOENT);
        };
        let Ok(start) = usize::try_from(offset) else {
            return reply.error(Errno::EFBIG);
        };
        let end = start + data.len();
        if node.data.len() < end {
            node.data.resize(end, 0);
        }
        node.data[start..end].copy_from_slice(data);
        node.mtime = Some(SystemTime::now());
        state.stats.bytes_written += data.len() as u64;
        reply.written(data.len() as u32);
    }

    fn flush(
        &self,
        _req: &Request,
        _ino: INodeNo,
        _fh: FileHandle,
        _lock_owner: LockOwner,
        reply: ReplyEmpty,
    ) {
        // close(2) promises nothing about durability.
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
        let mut state = self.state();
        let Some(node) = state.nodes.get_mut(&ino.0) else {
            return reply.error(Errno::ENOENT);
        };
        node.synced_data.clone_from(&node.data);
        state.stats.file_syncs += 1;
        reply.ok();
    }

    fn readdir(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        mut reply: ReplyDirectory,
    ) {
        let state = self.state();
        let Some(node) = state.nodes.get(&ino.0).filter(|n| n.dir) else {
            return reply.error(Errno::ENOTDIR);
        };
        let mut all = vec![
            (ino.0, FileType::Directory, OsString::from(".")),
            (ino.0, FileType::Directory, OsString::from("..")),
        ];
        for (name, child) in &node.entries {
            let kind = match state.nodes.get(child) {
                Some(n) if n.dir => FileType::Directory,
                _ => FileType::RegularFile,
            };
            all.push((*child, kind, name.clone()));
        }
        for (i, (child, kind, name)) in all.into_iter().enumerate().skip(offset as usize) {
            if reply.add(INodeNo(child), i as u64 + 1, kind, name) {
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
        let mut state = self.state();
        let Some(node) = state.nodes.get_mut(&ino.0) else {
            return reply.error(Errno::ENOENT);
        };
        node.synced_entries.clone_from(&node.entries);
        state.stats.dir_syncs += 1;
        reply.ok();
    }

    fn access(&self, _req: &Request, _ino: INodeNo, _mask: fuser::AccessFlags, reply: ReplyEmpty) {
        reply.ok();
    }

    fn create(
        &self,
        _req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
        _flags: i32,
        reply: ReplyCreate,
    ) {
        let mut state = self.state();
        let ino = match state.add(parent.0, name, false, (mode & !umask & 0o7777) as u16) {
            Ok(ino) => ino,
            Err(e) => return reply.error(e),
        };
        match state.attr(ino) {
            Some(attr) => reply.created(
                &TTL,
                &attr,
                Generation(0),
                FileHandle(0),
                FopenFlags::empty(),
            ),
            None => reply.error(Errno::EIO),
        }
    }

    fn fallocate(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        length: u64,
        mode: i32,
        reply: ReplyEmpty,
    ) {
        if mode != 0 {
            return reply.error(Errno::EOPNOTSUPP);
        }
        let mut state = self.state();
        let Some(node) = state.nodes.get_mut(&ino.0) else {
            return reply.error(Errno::ENOENT);
        };
        let Ok(end) = usize::try_from(offset.saturating_add(length)) else {
            return reply.error(Errno::EFBIG);
        };
        if node.data.len() < end {
            node.data.resize(end, 0);
        }
        reply.ok();
    }
}

/// A mounted lazy file system.
pub struct LazyFs {
    mountpoint: PathBuf,
    state: Arc<Mutex<State>>,
    session: Option<BackgroundSession>,
}

impl LazyFs {
    /// Mounts an empty lazy file system on `mountpoint` (an existing, empty folder). Its
    /// root directory counts as synced: it stands for a mounted disk's root.
    pub fn mount(mountpoint: &Path) -> io::Result<Self> {
        let mut fs = Self {
            mountpoint: mountpoint.to_path_buf(),
            state: Arc::new(Mutex::new(State::new())),
            session: None,
        };
        fs.attach()?;
        Ok(fs)
    }

    /// Whether this machine can mount it (root and `/dev/fuse`).
    pub fn available() -> bool {
        // SAFETY: geteuid has no preconditions and cannot fail.
        let root = unsafe { libc::geteuid() } == 0;
        root && std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/fuse")
            .is_ok()
    }

    /// Where it is mounted.
    pub fn path(&self) -> &Path {
        &self.mountpoint
    }

    /// Cuts the power: unmounts, drops everything not synced, and mounts what is left.
    /// Stop (SIGKILL and wait for) every process using it first: a process that survives
    /// the cut would keep writing to a disk that no longer exists.
    pub fn power_cut(&mut self) -> io::Result<()> {
        self.detach()?;
        self.lock().cut();
        self.attach()
    }

    /// What has happened so far.
    pub fn stats(&self) -> Stats {
        self.lock().stats
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn attach(&mut self) -> io::Result<()> {
        let mut config = Config::default();
        config.mount_options = vec![
            MountOption::FSName("lazyfs".into()),
            MountOption::RW,
            MountOption::Exec,
        ];
        let fs = Fs {
            state: self.state.clone(),
        };
        self.session = Some(fuser::spawn_mount(fs, &self.mountpoint, &config)?);
        Ok(())
    }

    fn detach(&mut self) -> io::Result<()> {
        let Some(session) = self.session.take() else {
            return Ok(());
        };
        let path = CString::new(self.mountpoint.as_os_str().as_bytes())?;
        // Lazily: the mount leaves the tree at once and is destroyed when nothing uses it,
        // which ends the session's thread.
        // SAFETY: `path` is a valid C string that outlives the call.
        if unsafe { libc::umount2(path.as_ptr(), libc::MNT_DETACH) } != 0 {
            return Err(io::Error::last_os_error());
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while !session.guard.is_finished() {
            if Instant::now() > deadline {
                // Dropping the session here would leave its thread serving the old mount.
                std::mem::forget(session);
                return Err(io::Error::other(
                    "the lazy file system is still in use after unmounting: stop every \
                     process using it (and close its files) before cutting the power",
                ));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        session.join()
    }
}

impl Drop for LazyFs {
    fn drop(&mut self) {
        let _ = self.detach();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::{self, File, OpenOptions};
    use std::io::Write as _;

    fn mounted() -> Option<(tempfile::TempDir, LazyFs)> {
        if !LazyFs::available() {
            eprintln!("skipped: needs root and /dev/fuse");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let fs = LazyFs::mount(dir.path()).unwrap();
        Some((dir, fs))
    }

    fn sync_dir(path: &Path) {
        File::open(path).unwrap().sync_all().unwrap();
    }

    #[test]
    fn only_synced_data_and_names_survive_a_cut() {
        let Some((_dir, mut fs)) = mounted() else {
            return;
        };
        let root = fs.path().to_path_buf();
        // Synced file, synced name: kept, without what was appended later.
        let mut kept = File::create(root.join("kept")).unwrap();
        kept.write_all(b"durable").unwrap();
        kept.sync_all().unwrap();
        sync_dir(&root);
        kept.write_all(b" and not").unwrap();
        drop(kept);
        // A folder synced in its parent, with an unsynced file inside.
        fs::create_dir(root.join("sub")).unwrap();
        sync_dir(&root);
        fs::write(root.join("sub/inner"), b"x").unwrap();
        // Synced file whose name was never synced: gone.
        let mut orphan = File::create(root.join("orphan")).unwrap();
        orphan.write_all(b"lost").unwrap();
        orphan.sync_all().unwrap();
        drop(orphan);

        fs.power_cut().unwrap();

        assert_eq!(fs::read(root.join("kept")).unwrap(), b"durable");
        assert!(!root.join("orphan").exists());
        assert!(root.join("sub").is_dir());
        assert!(!root.join("sub/inner").exists());
        let stats = fs.stats();
        assert_eq!(stats.power_cuts, 1);
        assert!(stats.files_rolled_back >= 1 && stats.dirs_rolled_back >= 1);
    }

    #[test]
    fn a_rename_needs_the_folder_synced() {
        let Some((_dir, mut fs)) = mounted() else {
            return;
        };
        let root = fs.path().to_path_buf();
        fs::write(root.join("key"), b"old").unwrap();
        File::open(root.join("key")).unwrap().sync_all().unwrap();
        sync_dir(&root);
        // Atomic replace without syncing the folder: the old file comes back.
        let mut tmp = OpenOptions::new()
            .create_new(true)
            .write(true)
            .open(root.join("key.tmp"))
            .unwrap();
        tmp.write_all(b"new").unwrap();
        tmp.sync_all().unwrap();
        drop(tmp);
        fs::rename(root.join("key.tmp"), root.join("key")).unwrap();
        assert_eq!(fs::read(root.join("key")).unwrap(), b"new");
        fs.power_cut().unwrap();
        assert_eq!(fs::read(root.join("key")).unwrap(), b"old");
        // With the folder synced after the rename, the new one stays.
        fs::write(root.join("key.tmp"), b"new").unwrap();
        File::open(root.join("key.tmp"))
            .unwrap()
            .sync_all()
            .unwrap();
        fs::rename(root.join("key.tmp"), root.join("key")).unwrap();
        sync_dir(&root);
        fs.power_cut().unwrap();
        assert_eq!(fs::read(root.join("key")).unwrap(), b"new");
        assert!(!root.join("key.tmp").exists());
    }
}
