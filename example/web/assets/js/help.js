// The help page is public: "Back" returns to the page that linked here when it is one of ours.
const back = document.getElementById('back');
const origin = `${location.origin}/`;
if (document.referrer.startsWith(origin)) {
  const path = `/${document.referrer.slice(origin.length).split(/[?#]/)[0]}`;
  if (path !== location.pathname) {
    back.href = path;
    back.textContent = 'Back';
  }
}
