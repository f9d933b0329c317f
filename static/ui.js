// static/ui.js: optional enhancements; every page works without it.
// - forms with data-confirm ask before submitting (delete buttons)
// - buttons with data-copy copy their text to the clipboard
document.addEventListener('submit', (e) => {
  const msg = e.target.getAttribute('data-confirm');
  if (msg && !window.confirm(msg)) e.preventDefault();
});
document.addEventListener('DOMContentLoaded', () => {
  if (!navigator.clipboard) return;
  for (const b of document.querySelectorAll('button[data-copy]')) {
    b.hidden = false;
    b.addEventListener('click', async () => {
      try {
        const label = b.textContent;
        await navigator.clipboard.writeText(b.getAttribute('data-copy'));
        b.textContent = b.getAttribute('data-done') || label;
        setTimeout(() => { b.textContent = label; }, 1500);
      } catch { /* no permission: the field can still be selected */ }
    });
  }
});
